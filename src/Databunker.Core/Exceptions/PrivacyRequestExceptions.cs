using Databunker.Core.Requests;

namespace Databunker.Core;

/// <summary>Thrown when no data-subject request has the id given (or it was purged).</summary>
public sealed class PrivacyRequestNotFoundException : DatabunkerException
{
    /// <summary>Creates the exception.</summary>
    public PrivacyRequestNotFoundException()
        : base("No privacy request has that id.")
    {
    }
}

/// <summary>Thrown when a data-subject request's state does not allow the call (approving a closed request, extending twice).</summary>
public sealed class PrivacyRequestStateException : DatabunkerException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="state">The request's state.</param>
    /// <param name="message">What was refused.</param>
    public PrivacyRequestStateException(PrivacyRequestState state, string message)
        : base($"{message} (the request is {state}).")
    {
        State = state;
    }

    /// <summary>The request's state when the call was refused.</summary>
    public PrivacyRequestState State { get; }
}
