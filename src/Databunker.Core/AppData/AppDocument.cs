using System.Text.Json;

namespace Databunker.Core.AppData;

/// <summary>A person's document for one application, as <see cref="IAppDataManager.GetAsync"/> reads it.</summary>
/// <param name="App">The application's registered name.</param>
/// <param name="Data">The document, a JSON object.</param>
/// <param name="Version">The document's version: 1 after the first write, one higher after each. Pass it as the expected version of the next write.</param>
/// <param name="UpdatedAt">When the document was last written.</param>
/// <param name="ExpiresAt">When the document expires (the application's retention after its last write), or <see langword="null"/> for never.</param>
public sealed record AppDocument(string App, JsonElement Data, long Version, DateTimeOffset UpdatedAt, DateTimeOffset? ExpiresAt);

/// <summary>A person's document for one application without its data, as <see cref="IAppDataManager.ListAsync"/> lists it.</summary>
/// <param name="App">The application's registered name.</param>
/// <param name="Version">The document's version.</param>
/// <param name="UpdatedAt">When the document was last written.</param>
/// <param name="ExpiresAt">When the document expires, or <see langword="null"/> for never.</param>
public sealed record AppDocumentInfo(string App, long Version, DateTimeOffset UpdatedAt, DateTimeOffset? ExpiresAt)
{
    /// <summary>
    /// Whether the application's documents hold credentials (<see cref="AppDataApplication.HoldsCredentials"/>): a page
    /// that shows a person's data shows that such a document exists, never its content.
    /// </summary>
    public bool HoldsCredentials { get; init; }
}
