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

/// <summary>Where one version of the master key comes from. Read when the vault starts.</summary>
public abstract class MasterKeySource
{
    private protected MasterKeySource()
    {
    }

    /// <summary>A key given as bytes (copied).</summary>
    public static MasterKeySource FromBytes(ReadOnlySpan<byte> key) => new BytesSource(key.ToArray());

    /// <summary>A key given as base64 text.</summary>
    public static MasterKeySource FromBase64(string base64) => new Base64Source(base64, "the configured base64 text");

    /// <summary>A key read as base64 text from an environment variable.</summary>
    public static MasterKeySource FromEnvironment(string variable) => new EnvironmentSource(variable);

    /// <summary>A key read from a file: 32 raw bytes, or base64 text.</summary>
    public static MasterKeySource FromFile(string path) => new FileSource(path);

    /// <summary>Reads the key. Throws <see cref="VaultConfigurationException"/> with a message that never shows key material.</summary>
    internal abstract byte[] Load();

    private static byte[] Checked(byte[] key, string origin)
    {
        if (key.Length != 32)
        {
            Array.Clear(key);
            throw new VaultConfigurationException(
                $"The master key from {origin} is {key.Length} bytes long; it must be exactly 32 random bytes (AES-256).");
        }

        return key;
    }

    private static byte[] Decode(string? text, string origin)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new VaultConfigurationException($"The master key from {origin} is missing or empty.");
        }

        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text.Trim(), buffer, out var written))
        {
            throw new VaultConfigurationException($"The master key from {origin} is not valid base64.");
        }

        var key = buffer.AsSpan(0, written).ToArray();
        Array.Clear(buffer);
        return Checked(key, origin);
    }

    private sealed class BytesSource(byte[] key) : MasterKeySource
    {
        internal override byte[] Load() => Checked(key.ToArray(), "the configured bytes");
    }

    private sealed class Base64Source(string text, string origin) : MasterKeySource
    {
        internal override byte[] Load() => Decode(text, origin);
    }

    private sealed class EnvironmentSource(string variable) : MasterKeySource
    {
        internal override byte[] Load() =>
            Decode(Environment.GetEnvironmentVariable(variable), $"environment variable {variable}");
    }

    private sealed class FileSource(string path) : MasterKeySource
    {
        internal override byte[] Load()
        {
            byte[] content;
            try
            {
                content = File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                throw new VaultConfigurationException($"The master key file {path} cannot be read: {ex.GetType().Name}.", ex);
            }

            if (content.Length == 32)
            {
                return content;
            }

            var text = System.Text.Encoding.ASCII.GetString(content);
            Array.Clear(content);
            return Decode(text, $"file {path}");
        }
    }
}
