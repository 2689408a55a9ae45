namespace Databunker.Core.Kernel;

/// <summary>
/// A module's part of renewing a system key: re-sealing what it keeps under the key named <see cref="KeyName"/> (the
/// tokens module re-seals values under a new token-sealing key). The administration runs the renewal registered for
/// the key it renews, never a module's implementation.
/// </summary>
internal interface IKeyRenewal
{
    /// <summary>The family of the system key this renewal re-seals under (<see cref="VaultKeyRing.TokenSealKeyName"/>).</summary>
    string KeyName { get; }

    /// <summary>Re-seals what was sealed under an older version of the key; returns how many were done and missed.</summary>
    Task<(long Renewed, long Missed)> RenewAsync(SystemKeys keys, int batchSize, Action<long>? progress, CancellationToken cancellationToken);
}
