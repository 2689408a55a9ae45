using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// The language of a page, among <see cref="DatabunkerPageOptions.Languages"/>: the switcher's choice (<c>?culture=de</c>,
/// then kept in ASP.NET Core's culture cookie), that cookie, the host's request localization when it runs one, the
/// browser's <c>Accept-Language</c>, and the first offered language, in that order.
/// </summary>
internal static class PortalCulture
{
    public const string Query = "culture";

    public static CultureInfo Resolve(HttpContext context, IList<string> languages)
    {
        var request = context.Request;
        if (Offered(request.Query[Query].ToString(), languages) is { } chosen)
        {
            context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)), new CookieOptions
            {
                Path = "/",
                HttpOnly = true,
                Secure = request.IsHttps,
                SameSite = SameSiteMode.Lax,
                IsEssential = true,
                MaxAge = TimeSpan.FromDays(365),
            });
            return CultureInfo.GetCultureInfo(chosen);
        }

        if (request.Cookies[CookieRequestCultureProvider.DefaultCookieName] is { } cookie
            && CookieRequestCultureProvider.ParseCookieValue(cookie) is { } parsed
            && Offered(parsed.UICultures.FirstOrDefault().Value, languages) is { } remembered)
        {
            return CultureInfo.GetCultureInfo(remembered);
        }

        if (context.Features.Get<IRequestCultureFeature>() is { Provider: not null } feature && Offered(feature.RequestCulture.UICulture.Name, languages) is { } host)
        {
            return CultureInfo.GetCultureInfo(host);
        }

        var accepted = request.GetTypedHeaders().AcceptLanguage;
        foreach (var language in accepted.Where(l => l.Quality is not 0).OrderByDescending(l => l.Quality ?? 1))
        {
            if (Offered(language.Value.Value, languages) is { } wanted)
            {
                return CultureInfo.GetCultureInfo(wanted);
            }
        }

        return CultureInfo.GetCultureInfo(languages.Count > 0 ? languages[0] : "en");
    }

    /// <summary>The offered language that <paramref name="tag"/> names, exactly or by its parent (<c>de-AT</c> → <c>de</c>).</summary>
    internal static string? Offered(string? tag, IList<string> languages)
    {
        if (string.IsNullOrEmpty(tag) || tag.Length > 35)
        {
            return null;
        }

        foreach (var language in languages)
        {
            if (string.Equals(language, tag, StringComparison.OrdinalIgnoreCase))
            {
                return language;
            }
        }

        var dash = tag.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 ? Offered(tag[..dash], languages) : null;
    }

    /// <summary>
    /// The culture that formats dates and numbers for a language: English without a region is written as in Britain and
    /// Ireland ("7 January 2027"), the English of the EU's institutions; any other language as itself.
    /// </summary>
    public static CultureInfo Formatting(CultureInfo language) => language.Name == "en" ? CultureInfo.GetCultureInfo("en-GB") : language;

    /// <summary>A date as the language writes it in full, without the weekday ("7 January 2027", "7. Januar 2027").</summary>
    public static string Date(DateTimeOffset at, CultureInfo culture) => Day(at.UtcDateTime, culture);

    /// <summary>
    /// The last day of a request's period, as the law counts it: a request's due time is the first instant after that day
    /// in the requests' time zone (<c>DatabunkerOptions.Requests.TimeZone</c>), so the day is the one just before it there.
    /// </summary>
    public static string LastDay(DateTimeOffset dueAt, TimeZoneInfo zone, CultureInfo culture) => Day(TimeZoneInfo.ConvertTime(dueAt.AddTicks(-1), zone).DateTime, culture);

    /// <summary>The time zone whose days count a request's period (<c>DatabunkerOptions.Requests.TimeZone</c>).</summary>
    public static TimeZoneInfo RequestZone(IServiceProvider services) =>
        TimeZoneInfo.FindSystemTimeZoneById(services.GetRequiredService<IOptions<DatabunkerOptions>>().Value.Requests.TimeZone);

    /// <summary>The day an instant falls on in <paramref name="zone"/>.</summary>
    public static string Day(DateTimeOffset at, TimeZoneInfo zone, CultureInfo culture) => Day(TimeZoneInfo.ConvertTime(at, zone).DateTime, culture);

    private static string Day(DateTime day, CultureInfo culture)
    {
        var pattern = culture.DateTimeFormat.LongDatePattern.Replace("dddd", string.Empty, StringComparison.Ordinal).TrimStart(' ', ',').TrimEnd(' ', ',');
        return day.ToString(pattern.Length == 0 ? "D" : pattern, culture);
    }

    /// <summary>A language's name in itself, for the switcher ("Deutsch").</summary>
    public static string NativeName(string language) => language.ToLowerInvariant() switch
    {
        "en" => "English",
        "de" => "Deutsch",
        "fr" => "Français",
        "es" => "Español",
        "it" => "Italiano",
        "nl" => "Nederlands",
        "pl" => "Polski",
        "pt" => "Português",
        _ => CultureInfo.GetCultureInfo(language).NativeName is { Length: > 0 } name ? char.ToUpperInvariant(name[0]) + name[1..] : language,
    };
}
