namespace Databunker.Core.Expiration;

/// <summary>What <see cref="IExpirationManager.StartAsync"/> returns: what the host mails to the person.</summary>
/// <param name="PersonToken">The person's token.</param>
/// <param name="RetainToken">The "keep my data" link token: 192 random bits, URL-safe base64; stored only as a keyed hash.</param>
/// <param name="DeleteToken">The "delete my data" link token: 192 other random bits, independent of <paramref name="RetainToken"/>,
/// so that whoever sees the keep link cannot delete the person. Using either token ends both.</param>
/// <param name="DueAt">When the person falls due (whole milliseconds).</param>
/// <param name="RetainUrl">The "keep my data" link, or <see langword="null"/> without <see cref="ExpirationOptions.LinkBaseAddress"/>.</param>
/// <param name="DeleteUrl">The "delete my data" link, or <see langword="null"/> without <see cref="ExpirationOptions.LinkBaseAddress"/>.</param>
public sealed record ExpirationTicket(Guid PersonToken, string RetainToken, string DeleteToken, DateTimeOffset DueAt, Uri? RetainUrl, Uri? DeleteUrl)
{
    /// <summary>Hides the tokens and links, so that a logged ticket cannot be used.</summary>
    public override string ToString() => $"ExpirationTicket {{ PersonToken = {PersonToken}, DueAt = {DueAt:O} }}";
}
