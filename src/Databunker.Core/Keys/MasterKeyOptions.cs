namespace Databunker.Core.Keys;

/// <summary>
/// The master keys of the built-in key provider, set through <c>UseMasterKey</c> and
/// <c>AddPreviousMasterKey</c>. Each key is 32 random bytes under a positive version number.
/// </summary>
public sealed class MasterKeyOptions
{
    /// <summary>The version new keys are wrapped under; 0 when no master key was configured.</summary>
    public int CurrentVersion { get; set; }

    /// <summary>Where each version's key comes from, by version.</summary>
    public IDictionary<int, MasterKeySource> Sources { get; } = new Dictionary<int, MasterKeySource>();
}
