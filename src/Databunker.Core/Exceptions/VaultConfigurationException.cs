namespace Databunker.Core;

/// <summary>
/// Thrown at start when the vault cannot be opened as configured: no storage or key provider, a key of
/// the wrong length, a master key that does not open the existing vault, a database schema newer than
/// this library. Nothing has been read or written when it is thrown. Also thrown by a call that needs a part of the set-up
/// the host has not done, such as a consent before the privacy catalogue was published.
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
