namespace Databunker.Core.Expiration;

/// <summary>What a link does when it is confirmed.</summary>
public enum ExpirationLinkAction
{
    /// <summary>The "keep my data" link: <see cref="IExpirationManager.RetainAsync"/>.</summary>
    Retain = 1,

    /// <summary>The "delete my data" link: <see cref="IExpirationManager.DeleteAsync"/>.</summary>
    Delete = 2,
}
