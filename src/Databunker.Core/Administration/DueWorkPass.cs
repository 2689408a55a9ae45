namespace Databunker.Core;

/// <summary>One due-work pass as this process ran it (<see cref="IVaultAdministration.GetRecentPassesAsync"/>).</summary>
/// <param name="StartedAt">When it started.</param>
/// <param name="Duration">How long it ran.</param>
/// <param name="Handled">How many items each module handled, by module name, for the modules that finished.</param>
/// <param name="FailedModule">The module whose work failed and ended the pass, or <see langword="null"/> when it succeeded.</param>
/// <param name="Failure">The failure's exception type (no message, which could name a host's data), or <see langword="null"/>.</param>
public sealed record DueWorkPass(DateTimeOffset StartedAt, TimeSpan Duration, IReadOnlyDictionary<string, int> Handled, string? FailedModule, string? Failure)
{
    /// <summary>Whether the pass ran every module's work.</summary>
    public bool Succeeded => FailedModule is null;
}

/// <summary>Where the vault's keys stand (<see cref="IVaultAdministration.GetKeyStatusAsync"/>): for a rotation's progress.</summary>
/// <param name="CurrentKeyVersion">The key provider's current version, the one new keys are wrapped under.</param>
/// <param name="DataKeysUnderOlderVersions">Persons' data keys still wrapped under an older version: 0 once <see cref="IVaultAdministration.RewrapKeysAsync"/> is done.</param>
/// <param name="BlindIndexVersion">The version of the blind-index key that lookups use.</param>
/// <param name="IndexEntriesUnderOlderVersions">Index entries still under an older blind-index key: 0 once <see cref="IVaultAdministration.RekeyBlindIndexAsync"/> is done.</param>
/// <param name="TokenSealVersion">The version of the token-sealing key.</param>
public sealed record VaultKeyStatus(string CurrentKeyVersion, long DataKeysUnderOlderVersions, int BlindIndexVersion, long IndexEntriesUnderOlderVersions, int TokenSealVersion);

/// <summary>One module's due-work backlog (<see cref="IVaultAdministration.GetBacklogByModuleAsync"/>).</summary>
/// <param name="Module">The module, as the due-work pass names it: <c>appdata</c>, <c>consent</c>, <c>expiration</c>, <c>requests</c>, <c>sessions</c>, <c>shares</c>, <c>tokens</c>.</param>
/// <param name="EarliestDue">When its first item falls (or fell) due: the first expiring token, session, share link, document or consent, the first request to wake, the first expiration; <see langword="null"/> when it has none.</param>
/// <param name="Overdue">How long ago that was; zero when it is still to come or there is none. A pass that ran recently leaves it under its period.</param>
public sealed record ModuleBacklog(string Module, DateTimeOffset? EarliestDue, TimeSpan Overdue);
