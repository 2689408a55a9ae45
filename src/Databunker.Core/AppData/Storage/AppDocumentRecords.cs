namespace Databunker.Core.AppData.Storage;

/// <summary>A document to write; its data is already sealed.</summary>
/// <param name="Person">The person.</param>
/// <param name="App">The application's registered name.</param>
/// <param name="Data">The document's envelope.</param>
/// <param name="UpdatedAt">Unix milliseconds; also the time against which an expired document counts as absent.</param>
/// <param name="ExpiresAt">Unix milliseconds, or <see langword="null"/> for never.</param>
public sealed record NewAppDocument(Guid Person, string App, byte[] Data, long UpdatedAt, long? ExpiresAt);

/// <summary>A stored document and what it takes to open it.</summary>
/// <param name="Data">The document's envelope.</param>
/// <param name="Version">The document's version (1 for the first write).</param>
/// <param name="UpdatedAt">Unix milliseconds of the last write.</param>
/// <param name="ExpiresAt">Unix milliseconds, or <see langword="null"/> for never.</param>
/// <param name="PersonKey">The owner's wrapped data key, which the document is sealed under.</param>
public sealed record StoredAppDocument(byte[] Data, long Version, long UpdatedAt, long? ExpiresAt, WrappedKey PersonKey);

/// <summary>A stored document's name and metadata, without its data.</summary>
/// <param name="App">The application's name.</param>
/// <param name="Version">The document's version.</param>
/// <param name="UpdatedAt">Unix milliseconds of the last write.</param>
/// <param name="ExpiresAt">Unix milliseconds, or <see langword="null"/> for never.</param>
public sealed record AppDocumentHeader(string App, long Version, long UpdatedAt, long? ExpiresAt);
