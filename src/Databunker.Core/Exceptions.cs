namespace Databunker.Core;

/// <summary>
/// The base type of every exception that Databunker.Core throws for a reason of its own (input errors
/// derive from <see cref="ArgumentException"/> instead). Messages never contain personal data.
/// </summary>
public class DatabunkerException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public DatabunkerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public DatabunkerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Thrown when a value that must be unique (a login, email, phone or custom index) is already taken by
/// another person. The message and <see cref="IndexName"/> name the index, never the value.
/// </summary>
public sealed class DuplicateIndexException : DatabunkerException
{
    /// <summary>Creates the exception for the given index.</summary>
    public DuplicateIndexException(string indexName)
        : base($"Another person already has this {indexName}: the {indexName} index is unique.")
    {
        IndexName = indexName;
    }

    /// <summary>The index whose value is taken: <c>login</c>, <c>email</c>, <c>phone</c> or <c>custom</c>.</summary>
    public string IndexName { get; }
}

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

/// <summary>
/// Thrown at start when the vault cannot be opened as configured: no storage or key provider, a key of
/// the wrong length, a master key that does not open the existing vault, a database schema newer than
/// this library. Nothing has been read or written when it is thrown.
/// </summary>
public sealed class VaultConfigurationException : DatabunkerException
{
    /// <summary>Creates the exception with a message.</summary>
    public VaultConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public VaultConfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Thrown for input that the vault refuses: a profile that is not a JSON object or is too large, a
/// malformed email or phone, an unknown lookup, a malformed expiration time. Nothing is stored when it
/// is thrown. <see cref="ArgumentException.ParamName"/> names the argument and <see cref="Field"/> the
/// field; the message never repeats the value.
/// </summary>
public sealed class VaultInputException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, without the value.</param>
    /// <param name="paramName">The argument that carried the value.</param>
    /// <param name="field">The field within the argument, when there is one.</param>
    public VaultInputException(string message, string? paramName, string? field = null)
        : base(message, paramName)
    {
        Field = field;
    }

    /// <summary>The field that was refused (for example <c>email</c>), or <see langword="null"/>.</summary>
    public string? Field { get; }
}

/// <summary>Thrown when an operation needs a person and no person matches the lookup.</summary>
public sealed class PersonNotFoundException : DatabunkerException
{
    /// <summary>Creates the exception.</summary>
    public PersonNotFoundException()
        : base("No person matches the lookup.")
    {
    }
}
