namespace Databunker.Core;

/// <summary>
/// Thrown whenever a stored ciphertext or wrapped key cannot be decrypted or authenticated: it was
/// tampered with, moved to another row or column, or the key that opens it is gone. The message names
/// what failed to open, never any plaintext.
/// </summary>
public sealed class VaultCryptoException : DatabunkerException
{
    /// <summary>Creates the exception with a message.</summary>
    public VaultCryptoException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public VaultCryptoException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
