namespace Databunker.Core.PostgreSql;

/// <summary>Each module's due-work backlog: when its first item falls (or fell) due, one aggregate over an indexed column (the condition IS NOT NULL lets SQLite use the partial indexes).</summary>
internal sealed partial class PostgreSqlVaultStorage
{
    public Task<long?> GetEarliestTokenExpiryAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(expires_at) FROM tokens WHERE expires_at IS NOT NULL;", cancellationToken);

    public Task<long?> GetEarliestSessionExpiryAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(expires_at) FROM sessions;", cancellationToken);

    public Task<long?> GetEarliestShareLinkExpiryAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(expires_at) FROM share_links;", cancellationToken);

    public Task<long?> GetEarliestAppDocumentExpiryAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(expires_at) FROM app_data WHERE expires_at IS NOT NULL;", cancellationToken);

    public Task<long?> GetEarliestPrivacyRequestWakeAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(wake_at) FROM privacy_requests WHERE wake_at IS NOT NULL;", cancellationToken);

    public Task<long?> GetEarliestConsentExpiryAsync(CancellationToken cancellationToken) => EarliestAsync(
        // In expiry order with LIMIT 1, not MIN: PostgreSQL plans the NOT EXISTS as an anti-join, after which MIN would add
        // up every grant ever given an expiry; this way it walks the index and stops at the first grant still in force.
        "SELECT e.expires_at FROM consent_events e WHERE e.decision = 1 AND e.expires_at IS NOT NULL " +
        "AND NOT EXISTS (SELECT 1 FROM consent_events l WHERE l.owner = e.owner AND l.activity = e.activity AND l.seq > e.seq) " +
        "ORDER BY e.expires_at LIMIT 1;",
        cancellationToken);

    private async Task<long?> EarliestAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long earliest ? earliest : null;
    }
}
