namespace Databunker.Core;

// The overloads with an optional version shipped before the public API was tracked; new overloads take none (RS0026).
#pragma warning disable RS0026
/// <summary>Chooses the key provider: the built-in master key, or one of your own.</summary>
public static class MasterKeyBuilderExtensions
{
    /// <summary>The default environment variable for <see cref="UseMasterKeyFromEnvironment"/>.</summary>
    public const string DefaultEnvironmentVariable = "DATABUNKER_MASTERKEY";

    /// <summary>Wraps keys under a master key given as 32 bytes (copied), as version <paramref name="version"/>.</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes or the version is not positive.</exception>
    public static IDatabunkerBuilder UseMasterKey(this IDatabunkerBuilder builder, ReadOnlySpan<byte> key, int version = 1)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("A master key must be exactly 32 random bytes (AES-256).", nameof(key));
        }

        return builder.UseMasterKey(MasterKeySource.FromBytes(key), version);
    }

    /// <summary>Wraps keys under a master key given as base64 text (32 bytes), as version <paramref name="version"/>.</summary>
    public static IDatabunkerBuilder UseMasterKey(this IDatabunkerBuilder builder, string base64Key, int version = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(base64Key);
        return builder.UseMasterKey(MasterKeySource.FromBase64(base64Key), version);
    }

    /// <summary>Wraps keys under a master key read, when the vault starts, from an environment variable holding base64 text.</summary>
    public static IDatabunkerBuilder UseMasterKeyFromEnvironment(this IDatabunkerBuilder builder, string variable = DefaultEnvironmentVariable, int version = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variable);
        return builder.UseMasterKey(MasterKeySource.FromEnvironment(variable), version);
    }

    /// <summary>
    /// Wraps keys under a master key read, when the vault starts, from a file (32 raw bytes or base64 text). On Unix the
    /// file must be readable by its owner only (chmod 600 or 400): a file that others can read fails the start with a
    /// <see cref="VaultConfigurationException"/> naming its mode, unless
    /// <see cref="MasterKeyOptions.AllowGroupOrOtherReadableKeyFile"/> is set.
    /// </summary>
    public static IDatabunkerBuilder UseMasterKeyFromFile(this IDatabunkerBuilder builder, string path, int version = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.UseMasterKey(MasterKeySource.FromFile(path), version);
    }

    /// <summary>Makes <paramref name="source"/> the current master key, under <paramref name="version"/>.</summary>
    public static IDatabunkerBuilder UseMasterKey(this IDatabunkerBuilder builder, MasterKeySource source, int version = 1)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        builder.Services.Configure<MasterKeyOptions>(o =>
        {
            o.Sources[version] = source;
            o.CurrentVersion = version;
        });
        builder.Services.AddOptionsWithValidateOnStart<MasterKeyOptions, MasterKeyOptionsValidator>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IKeyProvider, MasterKeyProvider>());
        return builder;
    }

    /// <summary>
    /// Keeps an older master key version for unwrapping only, while a rotation
    /// (<see cref="IVaultAdministration.RewrapKeysAsync"/>) moves every key to the current version.
    /// </summary>
    public static IDatabunkerBuilder AddPreviousMasterKey(this IDatabunkerBuilder builder, MasterKeySource source, int version)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        builder.Services.Configure<MasterKeyOptions>(o => o.Sources.TryAdd(version, source));
        builder.Services.AddOptionsWithValidateOnStart<MasterKeyOptions, MasterKeyOptionsValidator>();
        return builder;
    }

    /// <summary>Uses your own key provider (a KMS, an HSM), resolved from the container as a singleton.</summary>
    public static IDatabunkerBuilder UseKeyProvider<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)] TProvider>(this IDatabunkerBuilder builder)
        where TProvider : class, IKeyProvider
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IKeyProvider, TProvider>());
        return builder;
    }
}
