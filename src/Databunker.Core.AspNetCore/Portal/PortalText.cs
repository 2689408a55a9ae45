using System.Globalization;
using System.Resources;
using Microsoft.Extensions.Localization;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// The pages' words in one language: the host's (<see cref="DatabunkerPageOptions.Text"/>) where it has them, otherwise
/// the package's resources (<c>Resources/PortalText*.resx</c>, English where a language lacks a name). Arguments are
/// formatted in the page's culture.
/// </summary>
internal sealed class PortalText(CultureInfo culture, IStringLocalizer? host) : IStringLocalizer
{
    private static readonly ResourceManager Resources = new("Databunker.Core.AspNetCore.Resources.PortalText", typeof(PortalText).Assembly);

    public LocalizedString this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            if (host?[name] is { ResourceNotFound: false } own)
            {
                return own;
            }

            var value = Resources.GetString(name, culture);
            return new LocalizedString(name, value ?? name, resourceNotFound: value is null);
        }
    }

    public LocalizedString this[string name, params object[] arguments]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            if (host?[name, arguments] is { ResourceNotFound: false } own)
            {
                return own;
            }

            var format = Resources.GetString(name, culture);
            return new LocalizedString(name, string.Format(culture, format ?? name, arguments), resourceNotFound: format is null);
        }
    }

    /// <summary>Whether the package or the host has words for <paramref name="name"/>.</summary>
    /// <summary>The words for <paramref name="name"/> where the host or the package has them, otherwise <paramref name="fallback"/> (a module's own name, say).</summary>
    public string Or(string name, string fallback) => Has(name) ? this[name].Value : fallback;

    public bool Has(string name) => host?[name] is { ResourceNotFound: false } || Resources.GetString(name, CultureInfo.InvariantCulture) is not null;

    public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures)
    {
        var set = Resources.GetResourceSet(culture, createIfNotExists: true, tryParents: includeParentCultures);
        if (set is null)
        {
            yield break;
        }

        foreach (System.Collections.DictionaryEntry entry in set)
        {
            if (entry.Key is string name)
            {
                yield return this[name];
            }
        }
    }
}
