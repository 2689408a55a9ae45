namespace Databunker.Core.Expiration;

/// <summary>What <see cref="IExpirationManager.StartAsync"/> returns: what the host mails to the person.</summary>
/// <param name="UserToken">The person's token.</param>
/// <param name="RetainToken">The "keep my data" link token: 192 random bits, URL-safe base64; stored only as a keyed hash.</param>
/// <param name="DeleteToken">The "delete my data" link token: 192 other random bits, independent of <paramref name="RetainToken"/>,
/// so that whoever sees the keep link cannot delete the person. Using either token ends both.</param>
/// <param name="DueAt">When the person falls due (whole milliseconds).</param>
/// <param name="RetainUrl">The "keep my data" link, or <see langword="null"/> without <see cref="ExpirationOptions.LinkBaseAddress"/>.</param>
/// <param name="DeleteUrl">The "delete my data" link, or <see langword="null"/> without <see cref="ExpirationOptions.LinkBaseAddress"/>.</param>
public sealed record ExpirationTicket(Guid UserToken, string RetainToken, string DeleteToken, DateTimeOffset DueAt, Uri? RetainUrl, Uri? DeleteUrl)
{
    /// <summary>Hides the tokens and links, so that a logged ticket cannot be used.</summary>
    public override string ToString() => $"ExpirationTicket {{ UserToken = {UserToken}, DueAt = {DueAt:O} }}";
}

/// <summary>What a link does when it is confirmed.</summary>
public enum ExpirationLinkAction
{
    /// <summary>The "keep my data" link: <see cref="IExpirationManager.RetainAsync"/>.</summary>
    Retain = 1,

    /// <summary>The "delete my data" link: <see cref="IExpirationManager.DeleteAsync"/>.</summary>
    Delete = 2,
}

/// <summary>
/// What <see cref="IExpirationManager.InspectLinkAsync"/> tells about a live link, for a confirmation page.
/// It holds no personal data.
/// </summary>
/// <param name="Action">What confirming the link does.</param>
/// <param name="State">The expiration's state: always <see cref="ExpirationState.Waiting"/> for a live link.</param>
/// <param name="DueAt">When the person falls due unless they answer.</param>
public sealed record ExpirationLinkInfo(ExpirationLinkAction Action, ExpirationState State, DateTimeOffset DueAt);

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

/// <summary>Where a person stands.</summary>
/// <param name="UserToken">The person's token.</param>
/// <param name="State">The state.</param>
/// <param name="DueAt">The due time while <see cref="ExpirationState.Waiting"/>.</param>
public sealed record ExpirationStatus(Guid UserToken, ExpirationState State, DateTimeOffset? DueAt);

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

/// <summary>The counts of one scheduler pass.</summary>
/// <param name="Claimed">Due persons claimed.</param>
/// <param name="Deleted">Persons forgotten (each with an audit event).</param>
/// <param name="Skipped">Claimed persons that had answered, been cancelled or been forgotten meanwhile.</param>
/// <param name="Failed">Persons whose erasure failed; they are retried when their claim times out.</param>
/// <param name="Batches">Batches claimed.</param>
public sealed record ExpirationPassResult(int Claimed, int Deleted, int Skipped, int Failed, int Batches);
