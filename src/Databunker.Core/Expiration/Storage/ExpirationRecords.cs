namespace Databunker.Core.Expiration.Storage;

/// <summary>A person's stored expiration.</summary>
/// <param name="State">Waiting or retained.</param>
/// <param name="DueAt">Unix milliseconds.</param>
/// <param name="RetainHash">The keyed hash of the keep link's token while waiting, else <see langword="null"/>.</param>
/// <param name="DeleteHash">The keyed hash of the delete link's token while waiting, else <see langword="null"/>.</param>
/// <param name="Binding">The MAC that binds the links and the due time to the person, as written at start.</param>
public sealed record StoredExpiration(ExpirationState State, long DueAt, byte[]? RetainHash, byte[]? DeleteHash, byte[]? Binding);

/// <summary>An expiration to start: everything already hashed.</summary>
/// <param name="Token">The person's token.</param>
/// <param name="DueAt">Unix milliseconds.</param>
/// <param name="RetainHash">Keyed hash of the keep link's token; unique.</param>
/// <param name="DeleteHash">Keyed hash of the delete link's token; unique.</param>
/// <param name="Binding">A MAC over the person, both hashes and the due time, checked whenever a link is used.</param>
public sealed record NewExpiration(Guid Token, long DueAt, byte[] RetainHash, byte[] DeleteHash, byte[] Binding);

/// <summary>The waiting expiration a link hash matched.</summary>
/// <param name="Token">The person's token.</param>
/// <param name="MatchedDelete"><see langword="true"/> when the delete hash matched, <see langword="false"/> for the retain hash.</param>
/// <param name="Expiration">The stored expiration.</param>
public sealed record StoredExpirationLink(Guid Token, bool MatchedDelete, StoredExpiration Expiration);
