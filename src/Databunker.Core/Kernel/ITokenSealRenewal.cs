namespace Databunker.Core.Kernel;

/// <summary>
/// The part of a token-sealing key renewal that the module holding sealed values does: re-sealing them under the
/// new key. The administration calls it through this interface, never through the module's implementation.
/// </summary>
internal interface ITokenSealRenewal
{
    /// <summary>Re-seals, in batches, every envelope not under <paramref name="keys"/>' current sealing key; returns how many changed and how many were missed.</summary>
    Task<(long Resealed, long Missed)> ResealAsync(SystemKeys keys, int batchSize, Action<long>? progress, CancellationToken cancellationToken);
}
