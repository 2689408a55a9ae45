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
