namespace Databunker.Core.Expiration;

/// <summary>What a click on a link did.</summary>
public enum ExpirationLinkResult
{
    /// <summary>The token is unknown, used, replaced or cancelled: nothing changed.</summary>
    NotFound = 0,

    /// <summary>The person keeps their data.</summary>
    Retained = 1,

    /// <summary>The person was forgotten.</summary>
    Deleted = 2,
}
