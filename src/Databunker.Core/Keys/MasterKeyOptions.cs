using System.ComponentModel.DataAnnotations;

namespace Databunker.Core.Keys;

/// <summary>
/// The master keys of the built-in key provider, set through <c>UseMasterKey</c> and
/// <c>AddPreviousMasterKey</c>. Each key is 32 random bytes under a positive version number.
/// </summary>
public sealed class MasterKeyOptions : IValidatableObject
{
    /// <summary>The version new keys are wrapped under; 0 when no master key was configured.</summary>
    public int CurrentVersion { get; set; }

    /// <summary>
    /// Whether a master key file (<see cref="MasterKeySource.FromFile"/>) that the file's group or other users can
    /// read (mode 0640, 0644, 0440, as a container's mounted secret may be) is accepted. Off, such a file fails the
    /// start with a <see cref="VaultConfigurationException"/> naming its mode; on, the vault opens and logs warning
    /// event 26 at start. A file that others can <em>write</em> is refused either way. Has no effect on Windows.
    /// </summary>
    /// <value><see langword="false"/>: only the owner may read the key file (chmod 600 or 400).</value>
    public bool AllowGroupOrOtherReadableKeyFile { get; set; }

    /// <summary>Where each version's key comes from, by version.</summary>
    public IDictionary<int, MasterKeySource> Sources { get; } = new Dictionary<int, MasterKeySource>();

    /// <summary>The current version must have a key, and every version must be positive.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (!Sources.ContainsKey(CurrentVersion))
        {
            yield return new ValidationResult(
                "No current master key is configured: call UseMasterKey(...) (bytes, base64, an environment variable or a file) before or with AddPreviousMasterKey.",
                [nameof(CurrentVersion)]);
        }

        foreach (var version in Sources.Keys.Where(v => v <= 0))
        {
            yield return new ValidationResult($"Master key version {version} is not positive.", [nameof(Sources)]);
        }
    }
}
