namespace Databunker.Core.Keys;

/// <summary>Where one version of the master key comes from. Read when the vault starts.</summary>
public abstract class MasterKeySource
{
    private protected MasterKeySource()
    {
    }

    /// <summary>A key given as bytes, copied into a pinned buffer that is zeroed when the key provider is disposed.</summary>
    public static MasterKeySource FromBytes(ReadOnlySpan<byte> key) => new BytesSource(key);

    /// <summary>
    /// A key given as base64 text, decoded at once into a pinned buffer that is zeroed when the key provider is
    /// disposed. The string itself cannot be zeroed (.NET strings are immutable): prefer a file or an
    /// environment variable, which are read only when the vault starts.
    /// </summary>
    public static MasterKeySource FromBase64(string base64) => new BytesSource(Decode(base64, "the configured base64 text"), owned: true);

    /// <summary>A key read as base64 text from an environment variable.</summary>
    public static MasterKeySource FromEnvironment(string variable) => new EnvironmentSource(variable);

    /// <summary>
    /// A key read from a file: 32 raw bytes, or base64 text. On Unix, a file that group or others can write to is
    /// refused, and so is one that they can read unless <see cref="MasterKeyOptions.AllowGroupOrOtherReadableKeyFile"/>
    /// is set.
    /// </summary>
    public static MasterKeySource FromFile(string path) => new FileSource(path);

    /// <summary>Reads the key, accepting only an owner-only key file.</summary>
    internal byte[] Load() => Load(allowGroupOrOtherReadableFile: false, NullLogger.Instance);

    /// <summary>Reads the key. Throws <see cref="VaultConfigurationException"/> with a message that never shows key material.</summary>
    /// <param name="allowGroupOrOtherReadableFile">Whether a key file that group or others can read is accepted (with a warning).</param>
    /// <param name="logger">Where that warning goes.</param>
    internal abstract byte[] Load(bool allowGroupOrOtherReadableFile, ILogger logger);

    /// <summary>Zeroes any copy of the key the source holds; called when the key provider is disposed.</summary>
    internal virtual void Forget()
    {
    }

    /// <summary>
    /// Refuses keys that are not 32 bytes or do not look random: all zero or few distinct bytes, or nothing
    /// but printable ASCII (a passphrase or a hex string where raw bytes were expected). 32 random bytes
    /// have on average 30 distinct values and are all printable with a probability of about 10^-14.
    /// </summary>
    private static byte[] Checked(byte[] key, string origin)
    {
        var length = key.Length;
        string? problem = null;
        if (length != 32)
        {
            problem = $"is {length} bytes long; it must be exactly 32 random bytes (AES-256)";
        }
        else if (key.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            problem = "is all zero bytes; it must be 32 random bytes";
        }
        else if (key.Distinct().Count() < 16)
        {
            problem = "has too few distinct bytes to be random; generate it with a cryptographic generator (for example: openssl rand -base64 32)";
        }
        else if (key.AsSpan().IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) < 0)
        {
            problem = "is printable text (a passphrase or a hex string?), not 32 random bytes; give the raw bytes or their base64 (openssl rand -base64 32)";
        }

        if (problem is not null)
        {
            Array.Clear(key);
            throw new VaultConfigurationException($"The master key from {origin} {problem}.");
        }

        return key;
    }

    private static byte[] Decode(string? text, string origin)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new VaultConfigurationException($"The master key from {origin} is missing or empty.");
        }

        var trimmed = text.Trim();
        if (trimmed.Length is 64 && trimmed.All(char.IsAsciiHexDigit))
        {
            throw new VaultConfigurationException($"The master key from {origin} is a hex string; give 32 random bytes as base64 (openssl rand -base64 32).");
        }

        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(trimmed, buffer, out var written))
        {
            Array.Clear(buffer);
            throw new VaultConfigurationException($"The master key from {origin} is not valid base64.");
        }

        var key = buffer.AsSpan(0, written).ToArray();
        Array.Clear(buffer);
        return Checked(key, origin);
    }

    private sealed class BytesSource : MasterKeySource
    {
        private readonly byte[] _key;
        private volatile bool _forgotten;

        public BytesSource(ReadOnlySpan<byte> key)
        {
            _key = GC.AllocateUninitializedArray<byte>(key.Length, pinned: true);
            key.CopyTo(_key);
        }

        public BytesSource(byte[] decoded, bool owned)
            : this(decoded)
        {
            if (owned)
            {
                Array.Clear(decoded);
            }
        }

        internal override byte[] Load(bool allowGroupOrOtherReadableFile, ILogger logger)
        {
            if (_forgotten)
            {
                throw new VaultConfigurationException(
                    "This master key was zeroed when the key provider that used it was disposed; register the key again for a new service provider.");
            }

            return Checked(_key.ToArray(), "the configured bytes");
        }

        internal override void Forget()
        {
            _forgotten = true;
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(_key);
        }
    }

    private sealed class EnvironmentSource(string variable) : MasterKeySource
    {
        internal override byte[] Load(bool allowGroupOrOtherReadableFile, ILogger logger) =>
            Decode(Environment.GetEnvironmentVariable(variable), $"environment variable {variable}");
    }

    private sealed class FileSource(string path) : MasterKeySource
    {
        internal override byte[] Load(bool allowGroupOrOtherReadableFile, ILogger logger)
        {
            byte[] content;
            try
            {
                if (!OperatingSystem.IsWindows())
                {
                    CheckMode(allowGroupOrOtherReadableFile, logger);
                }

                content = File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                throw new VaultConfigurationException($"The master key file {path} cannot be read: {ex.GetType().Name}.", ex);
            }

            if (content.Length == 32)
            {
                return Checked(content, $"file {path}");
            }

            var text = System.Text.Encoding.ASCII.GetString(content);
            Array.Clear(content);
            return Decode(text, $"file {path}");
        }

        /// <summary>Refuses a file that others can write (they could swap the key) or, unless allowed, read (they hold every person's data).</summary>
        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
        private void CheckMode(bool allowGroupOrOtherReadableFile, ILogger logger)
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.OtherWrite | UnixFileMode.GroupWrite)) != 0)
            {
                throw new VaultConfigurationException(
                    $"The master key file {path} can be written by other users; restrict it to its owner (chmod 600) so that nobody can swap the key.");
            }

            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) == 0)
            {
                return;
            }

            var octal = Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
            if (!allowGroupOrOtherReadableFile)
            {
                throw new VaultConfigurationException(
                    $"The master key file {path} can be read by other users (mode {octal}); restrict it to its owner (chmod 600), or set " +
                    $"{nameof(MasterKeyOptions)}.{nameof(MasterKeyOptions.AllowGroupOrOtherReadableKeyFile)} to accept it with a warning.");
            }

            KeyLog.KeyFileReadableByOthers(logger, path, octal);
        }
    }
}
