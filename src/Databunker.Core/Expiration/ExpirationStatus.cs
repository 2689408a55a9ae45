namespace Databunker.Core.Expiration;

/// <summary>Where a person stands.</summary>
/// <param name="PersonToken">The person's token.</param>
/// <param name="State">The state.</param>
/// <param name="DueAt">The due time while <see cref="ExpirationState.Waiting"/>.</param>
public sealed record ExpirationStatus(Guid PersonToken, ExpirationState State, DateTimeOffset? DueAt);
