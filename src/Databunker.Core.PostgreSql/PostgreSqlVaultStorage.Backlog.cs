namespace Databunker.Core.PostgreSql;

/// <summary>Each module's due-work backlog: when its first item falls (or fell) due, one aggregate over an indexed column.</summary>
internal sealed partial class PostgreSqlVaultStorage
{
    public Task<long?> GetEarliestTokenExpiryAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(expires_at) FROM tokens;", cancellationToken);

    public Task<long?> GetEarliestSessionExpiryAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(expires_at) FROM sessions;", cancellationToken);

    public Task<long?> GetEarliestShareLinkExpiryAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(expires_at) FROM share_links;", cancellationToken);

    public Task<long?> GetEarliestAppDocumentExpiryAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(expires_at) FROM app_data;", cancellationToken);

    public Task<long?> GetEarliestPrivacyRequestWakeAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(wake_at) FROM privacy_requests;", cancellationToken);

    public Task<long?> GetEarliestConsentExpiryAsync(CancellationToken cancellationToken) => EarliestAsync(
        "SELECT MIN(e.expires_at) FROM consent_events e WHERE e.decision = 1 AND e.expires_at IS NOT NULL " +
        "AND NOT EXISTS (SELECT 1 FROM consent_events l WHERE l.owner = e.owner AND l.activity = e.activity AND l.seq > e.seq);",
        cancellationToken);

    private async Task<long?> EarliestAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long earliest ? earliest : null;
    }
}
