namespace Databunker.Core.Expiration;

/// <summary>The expiration module's part of the due-work backlog: when the earliest due expiration fell due.</summary>
internal sealed class ExpirationBacklog(IExpirationStore expirations) : IBacklogSource
{
    public Task<long?> GetEarliestDueAsync(CancellationToken cancellationToken) => expirations.GetEarliestDueAsync(cancellationToken);
}
