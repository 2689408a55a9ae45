using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Tokenization.Storage;

/// <summary>The storage role of the tokens module: tokens by keyed hash, their sealed values, owners and expiry.</summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface ITokenStore : IStorageRole
{
    /// <summary>
    /// Stores tokens in one transaction with their audit events. An item whose deterministic hash already
    /// has a live token is not stored: the existing row's <see cref="NewToken.SealedToken"/> is returned
    /// in its outcome instead (an expired one is replaced). An item whose token hash is taken is not stored
    /// and its audit event is not written: its outcome says so, and the caller draws another token. Throws <see cref="PersonNotFoundException"/>,
    /// writing nothing, when an owner does not exist.
    /// </summary>
    Task<IReadOnlyList<TokenAddOutcome>> AddTokensAsync(IReadOnlyList<NewToken> tokens, IReadOnlyList<AuditRecord> audit, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Reads one token as <see cref="GetTokensAsync"/> does and, when it is live and has no owner, appends
    /// <paramref name="audit"/> with the read, in one transaction where the storage can (a server storage: one round
    /// trip). Otherwise nothing is appended; a storage may also leave the event to the caller (<see cref="AuditedRead{T}.Audited"/>).
    /// </summary>
    Task<AuditedRead<StoredToken>> GetTokenAuditedAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Reads tokens by hash in one read; <see langword="null"/> where unknown or expired at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<StoredToken?>> GetTokensAsync(IReadOnlyList<byte[]> tokenHashes, long now, CancellationToken cancellationToken);

    /// <summary>Deletes a token with its audit event; returns whether it existed.</summary>
    Task<bool> DeleteTokenAsync(byte[] tokenHash, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> tokens expired at <paramref name="now"/>; returns how many.</summary>
    Task<int> DeleteExpiredTokensAsync(long now, int limit, CancellationToken cancellationToken);

    /// <summary>When the token that expires first expires (Unix milliseconds), or <see langword="null"/> when none expires: the module's due-work backlog.</summary>
    Task<long?> GetEarliestTokenExpiryAsync(CancellationToken cancellationToken);

    /// <summary>Reads up to <paramref name="limit"/> tokens whose hash sorts after <paramref name="afterHash"/>, in hash order.</summary>
    Task<IReadOnlyList<StoredTokenSeal>> GetTokenSealsAsync(byte[]? afterHash, int limit, CancellationToken cancellationToken);

    /// <summary>Replaces tokens' envelopes in one transaction, each only if it still holds its previous value; returns how many.</summary>
    Task<int> ReplaceTokenSealsAsync(IReadOnlyList<TokenSealReplacement> replacements, CancellationToken cancellationToken);

    /// <summary>Reads up to <paramref name="limit"/> of the tokens <paramref name="person"/> owns whose hash sorts after <paramref name="afterHash"/>, in hash order.</summary>
    Task<IReadOnlyList<StoredTokenSeal>> GetPersonTokensAsync(Guid person, byte[]? afterHash, int limit, CancellationToken cancellationToken);

    /// <summary>Adds to <paramref name="erasure"/> the deletion of every token the person owns.</summary>
    Task EnlistErasureAsync(IErasureTransaction erasure, Guid person, CancellationToken cancellationToken);
}
