using System.Text.Json;

namespace Databunker.Core.AppData;

/// <summary>A person's document for one application, as <see cref="IAppDataManager.GetAsync"/> reads it.</summary>
/// <param name="App">The application's registered name.</param>
/// <param name="Data">The document, a JSON object.</param>
/// <param name="Version">The document's version: 1 after the first write, one higher after each. Pass it as the expected version of the next write.</param>
/// <param name="UpdatedAt">When the document was last written.</param>
/// <param name="ExpiresAt">When the document expires (the application's retention after its last write), or <see langword="null"/> for never.</param>
public sealed record AppDocument(string App, JsonElement Data, long Version, DateTimeOffset UpdatedAt, DateTimeOffset? ExpiresAt)
{
    /// <summary>
    /// The top-level member by which a document names its members that hold credentials: a JSON array of member names,
    /// for example <c>"$credentials": ["passwordHash", "recoveryCodes"]</c>. The subject-access export, the privacy
    /// portal, the DPO console and share links show each of them as <c>"withheld"</c> (see
    /// <see cref="WithCredentialsWithheld"/>); the application reads the document as it wrote it. Names are of top-level
    /// members; a mark that is not an array of strings withholds every member (it fails closed).
    /// </summary>
    public const string CredentialsMember = AppDataCredentials.Member;

    /// <summary>
    /// The document as a person or a DPO may see it: each member its <see cref="CredentialsMember"/> names replaced by
    /// <paramref name="placeholder"/>, and that list left out; the document itself when it names none.
    /// </summary>
    /// <param name="placeholder">What a withheld member shows: <c>"withheld"</c>, or a page's words for it in its language.</param>
    /// <returns>A JSON object.</returns>
    public JsonElement WithCredentialsWithheld(string placeholder = AppDataCredentials.Withheld)
    {
        ArgumentNullException.ThrowIfNull(placeholder);
        return AppDataCredentials.Withhold(Data, placeholder);
    }
}

/// <summary>A person's document for one application without its data, as <see cref="IAppDataManager.ListAsync"/> lists it.</summary>
/// <param name="App">The application's registered name.</param>
/// <param name="Version">The document's version.</param>
/// <param name="UpdatedAt">When the document was last written.</param>
/// <param name="ExpiresAt">When the document expires, or <see langword="null"/> for never.</param>
public sealed record AppDocumentInfo(string App, long Version, DateTimeOffset UpdatedAt, DateTimeOffset? ExpiresAt);
