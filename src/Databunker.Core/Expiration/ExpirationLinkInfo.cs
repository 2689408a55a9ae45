namespace Databunker.Core.Expiration;

/// <summary>
/// What <see cref="IExpirationManager.InspectLinkAsync"/> tells about a live link, for a confirmation page.
/// It holds no personal data.
/// </summary>
/// <param name="Action">What confirming the link does.</param>
/// <param name="State">The expiration's state: always <see cref="ExpirationState.Waiting"/> for a live link.</param>
/// <param name="DueAt">When the person falls due unless they answer.</param>
public sealed record ExpirationLinkInfo(ExpirationLinkAction Action, ExpirationState State, DateTimeOffset DueAt);
