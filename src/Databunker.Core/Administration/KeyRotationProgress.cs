namespace Databunker.Core;

/// <summary>Progress of <see cref="IVaultAdministration.RewrapKeysAsync"/>.</summary>
/// <param name="Rewrapped">Keys re-wrapped so far.</param>
/// <param name="Remaining">Keys still under an older version when the count was taken; in the final result, a recount
/// (not zero when other writers wrapped keys under an older version meanwhile: call again).</param>
/// <param name="TargetKeyVersion">The key version the keys are wrapped under now: the version the provider
/// actually wrapped under, where it differs from the one it advertises.</param>
public sealed record KeyRotationProgress(long Rewrapped, long Remaining, string TargetKeyVersion);
