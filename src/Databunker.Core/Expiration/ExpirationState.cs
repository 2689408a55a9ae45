namespace Databunker.Core.Expiration;

/// <summary>The states of a person's expiration.</summary>
public enum ExpirationState
{
    /// <summary>No expiration.</summary>
    None = 0,

    /// <summary>Started, waiting for the person or the due time.</summary>
    Waiting = 1,

    /// <summary>The person chose to keep their data.</summary>
    Retained = 2,

    /// <summary>The person was forgotten.</summary>
    Deleted = 3,
}
