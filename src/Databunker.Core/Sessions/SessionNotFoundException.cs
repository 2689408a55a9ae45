namespace Databunker.Core.Sessions;

/// <summary>
/// Thrown by a session write when the id names no live session: it never existed, was altered, expired or was
/// ended. The message never contains the id. Nothing was written.
/// </summary>
public sealed class SessionNotFoundException : DatabunkerException
{
    /// <summary>Creates the exception.</summary>
    public SessionNotFoundException()
        : base("No live session has this id: it is unknown, malformed, expired or ended.")
    {
    }
}
