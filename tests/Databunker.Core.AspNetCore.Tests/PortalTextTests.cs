using System.Collections;
using System.Globalization;
using System.Resources;
using Databunker.Core.Requests;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>The pages' words: every language has every name English has, with the same placeholders, and every state and request type has its words.</summary>
public sealed class PortalTextTests
{
    private static readonly ResourceManager Resources = new("Databunker.Core.AspNetCore.Resources.PortalText", typeof(PortalText).Assembly);

    [TestCaseSource(typeof(DatabunkerPageOptions), nameof(DatabunkerPageOptions.ShippedLanguages))]
    public void EveryShippedLanguage_HasEveryName_WithTheSamePlaceholders(string language)
    {
        var english = Names(CultureInfo.InvariantCulture);
        var own = Names(language == "en" ? CultureInfo.InvariantCulture : CultureInfo.GetCultureInfo(language));

        own.Keys.Should().BeEquivalentTo(english.Keys, "{0} says everything English says", language);
        foreach (var (name, text) in own)
        {
            Placeholders(text).Should().BeEquivalentTo(Placeholders(english[name]), "{0} in {1} is filled in with the same values", name, language);
        }
    }

    [Test]
    public void EveryRequestTypeAndState_HasItsWords()
    {
        var english = Names(CultureInfo.InvariantCulture);
        foreach (var type in Enum.GetNames<PrivacyRequestType>())
        {
            english.Should().ContainKey("RequestType." + type);
        }

        foreach (var state in Enum.GetNames<PrivacyRequestState>())
        {
            english.Should().ContainKey("RequestState." + state);
        }
    }

    private static Dictionary<string, string> Names(CultureInfo culture) =>
        Resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false)!.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);

    private static IEnumerable<string> Placeholders(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text, @"\{\d+\}").Select(m => m.Value).Distinct().Order();
}
