namespace Databunker.Core.Sqlite;

/// <summary>Each module's due-work backlog: when its first item falls (or fell) due, one aggregate over an indexed column (the condition IS NOT NULL lets SQLite use the partial indexes).</summary>
internal sealed partial class SqliteVaultStorage
{
    public Task<long?> GetEarliestTokenExpiryAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(expires_at) FROM tokens WHERE expires_at IS NOT NULL;", cancellationToken);

    public Task<long?> GetEarliestSessionExpiryAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(expires_at) FROM sessions;", cancellationToken);

    public Task<long?> GetEarliestShareLinkExpiryAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(expires_at) FROM share_links;", cancellationToken);

    public Task<long?> GetEarliestAppDocumentExpiryAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(expires_at) FROM app_data WHERE expires_at IS NOT NULL;", cancellationToken);

    public Task<long?> GetEarliestPrivacyRequestWakeAsync(CancellationToken cancellationToken) => EarliestAsync("SELECT MIN(wake_at) FROM privacy_requests WHERE wake_at IS NOT NULL;", cancellationToken);

    public Task<long?> GetEarliestConsentExpiryAsync(CancellationToken cancellationToken) => EarliestAsync(
        "SELECT MIN(e.expires_at) FROM consent_events e WHERE e.decision = 1 AND e.expires_at IS NOT NULL " +
        "AND NOT EXISTS (SELECT 1 FROM consent_events l WHERE l.owner = e.owner AND l.activity = e.activity AND l.seq > e.seq);",
        cancellationToken);

    private Task<long?> EarliestAsync(string sql, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection, sql).Query();
        return rows.Next() && !rows.IsNull(0) ? rows.Int64(0) : (long?)null;
    }, cancellationToken);
}
