using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Databunker.Core.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

using Databunker.Core.Privacy;

namespace Databunker.Core.AspNetCore;

/// <summary>The portal's own sign-in by a one-time code mailed through the host's <see cref="IPortalCodeSender"/>.</summary>
internal sealed partial class PrivacyPortal
{
    // A guess whose count lost a write race to another guess re-reads and counts again, this many times at most.
    private const int CountRetries = 16;

    public Task SignInPageAsync(HttpContext context) => SignInPageAsync(context, 200, codeSent: false, error: null);

    public async Task SignInAsync(HttpContext context)
    {
        var form = await ReadFormAsync(context);
        if (form is null)
        {
            return;
        }

        var email = form["email"].ToString();
        var (limit, retryAfter) = limiter.TryAcquire(email, context.Connection.RemoteIpAddress);
        if (limit is not null)
        {
            Log.CodeRequestLimited(codes.Logger, limit);
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await pages.MessageAsync(context, StatusCodes.Status429TooManyRequests, "TooMany.Title", "TooMany.Text", isError: true);
            return;
        }

        // The same work in the request whatever the address: no lookup here (a hit would unwrap the person's key, which with
        // a key management service is a round trip), so no one learns from the answer's time which addresses have
        // accounts. The queue looks the address up and mails the code only when it has an account.
        var services = context.RequestServices;
        var options = Options(context);
        var time = services.GetRequiredService<TimeProvider>();
        var code = RandomNumberGenerator.GetInt32(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture);
        var key = RandomNumberGenerator.GetBytes(32);
        var expires = time.GetUtcNow() + options.CodeLifetime;
        var pending = new PendingSignIn(email, Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(code))), Convert.ToBase64String(key), expires.ToUnixTimeMilliseconds(), 0);
        var sessions = services.GetRequiredService<ISessionManager>();
        var ticket = await sessions.CreateAsync(JsonSerializer.SerializeToElement(pending, SessionJson.Default.PendingSignIn), new SessionCreateOptions { IdleTimeout = options.CodeLifetime, AbsoluteTimeout = options.CodeLifetime, Label = DeviceLabel(context, options) }, context.RequestAborted);
        if (email.Length is > 0 and <= 254)
        {
            codes.Enqueue(email, code, expires, PortalCulture.Resolve(context, pages.Options.Languages));
        }

        SetCookie(context, ticket.SessionId);
        await SignInPageAsync(context, 200, codeSent: true, error: null);
    }

    public async Task VerifyCodeAsync(HttpContext context)
    {
        var form = await ReadFormAsync(context);
        if (form is null)
        {
            return;
        }

        var sessions = context.RequestServices.GetRequiredService<ISessionManager>();
        var id = context.Request.Cookies[CookieName];
        var pending = id is null ? null : await CountGuessAsync(context, sessions, id);
        if (pending is null)
        {
            context.Response.Headers.Location = Url(context, "signin");
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            return;
        }

        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();
        var guess = HMACSHA256.HashData(Convert.FromBase64String(pending.Key), Encoding.ASCII.GetBytes(form["code"].ToString()));
        var right = CryptographicOperations.FixedTimeEquals(guess, Convert.FromBase64String(pending.Hash));
        var person = now < pending.ExpiresAt && pending.Attempts <= Options(context).MaxCodeAttempts && right ? await FindPersonAsync(context, pending.Email) : null;
        if (person is null)
        {
            await SignInPageAsync(context, 400, codeSent: true, error: "Code.Wrong");
            return;
        }

        // Bound to the person under a new id: an id planted before sign-in is worthless after it.
        SessionTicket bound;
        using (AuditActor.Begin(Actor))
        {
            bound = await sessions.BindToPersonAsync(id!, person.Value, context.RequestAborted);
            await sessions.ReplaceAsync(bound.SessionId, JsonSerializer.SerializeToElement(new SignedInPortalSession(true), SessionJson.Default.SignedInPortalSession), null, context.RequestAborted);
        }
        SetCookie(context, bound.SessionId);
        context.Response.Headers.Location = Url(context, string.Empty);
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
    }

    public async Task SignOutAsync(HttpContext context)
    {
        if (await ReadFormAsync(context) is null)
        {
            return;
        }

        if (context.Request.Cookies[CookieName] is { } id)
        {
            await context.RequestServices.GetRequiredService<ISessionManager>().EndAsync(id, context.RequestAborted);
        }

        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = basePath });
        context.Response.Headers.Location = Options(context).ResolvePerson is null ? Url(context, "signin") : "/";
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
    }

    /// <summary>
    /// Counts a guess before it is compared: the pending sign-in's attempt count goes up by one under the session's version,
    /// and a guess whose write lost the race to a concurrent one reads again and counts again, so every guess is counted
    /// however many arrive at once. Returns the sign-in with the count this guess made (a count over the limit means the
    /// code is spent), or <see langword="null"/> when the session holds no pending sign-in.
    /// </summary>
    private static async Task<PendingSignIn?> CountGuessAsync(HttpContext context, ISessionManager sessions, string id)
    {
        var max = Options(context).MaxCodeAttempts;
        for (var attempt = 0; attempt < CountRetries; attempt++)
        {
            var session = await sessions.GetAsync(id, touch: false, context.RequestAborted);
            if (session is null || session.Person is not null || session.Data.Deserialize(SessionJson.Default.PendingSignIn) is not { } pending)
            {
                return null;
            }

            var counted = pending with { Attempts = pending.Attempts + 1 };
            if (pending.Attempts >= max)
            {
                return counted;
            }

            try
            {
                await sessions.ReplaceAsync(id, JsonSerializer.SerializeToElement(counted, SessionJson.Default.PendingSignIn), session.Version, context.RequestAborted);
                return counted;
            }
            catch (VersionConflictException)
            {
                // Another guess counted first: read its count and add this one to it.
            }
            catch (SessionNotFoundException)
            {
                return null;
            }
        }

        // Still losing after many tries: the guess is not compared, so it cannot count without being counted.
        return new PendingSignIn(string.Empty, string.Empty, string.Empty, 0, int.MaxValue);
    }

    /// <summary>The device the sign-in comes from, kept sealed with the session: the host's label, or the browser and system.</summary>
    private static string? DeviceLabel(HttpContext context, PrivacyPortalOptions options)
    {
        var label = options.DeviceLabel is { } host ? host(context) : DeviceNames.FromUserAgent(context.Request.Headers.UserAgent.ToString());
        if (string.IsNullOrWhiteSpace(label))
        {
            return null;
        }

        // Cut between whole characters (never inside a surrogate pair), to what the sessions accept.
        var max = Math.Min(64, context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabunkerOptions>>().Value.Sessions.MaxLabelLength);
        if (label.Length > max)
        {
            // The start of the first character that would not fit whole: everything before it does.
            label = label[..System.Globalization.StringInfo.ParseCombiningCharacters(label).Last(start => start <= max)];
        }

        return label.Length > 0 ? label : null;
    }

    /// <summary>The person whose account has the address, once the right code for it came back; <see langword="null"/> when none has.</summary>
    private static async Task<Guid?> FindPersonAsync(HttpContext context, string email)
    {
        try
        {
            using (AuditActor.Begin(Actor))
            {
                return (await context.RequestServices.GetRequiredService<IPersonalDataVault>().GetPersonForPurposeAsync(PersonLookup.ByEmail(email), Purposes.DataProtection, context.RequestAborted))?.Token;
            }
        }
        catch (VaultInputException)
        {
            return null;
        }
    }
}
