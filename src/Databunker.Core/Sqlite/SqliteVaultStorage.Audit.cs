using Dapper;
using Databunker.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

internal sealed partial class SqliteVaultStorage
{
    /// <summary>One INSERT is atomic on its own: no explicit transaction, one commit.</summary>
    public Task AppendAuditAsync(AuditRecord audit, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        AppendAudit(AuditInsert(connection, null), audit);
        return true;
    }, cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> GetAuditAsync(Guid subject, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return (IReadOnlyList<AuditRecord>)connection.Query<AuditRow>(
                "SELECT id AS Id, at AS At, actor AS Actor, operation AS Operation, subject AS Subject, outcome AS Outcome, details AS Details " +
                "FROM audit_events WHERE subject = @subject ORDER BY id;",
                new { subject = Id(subject) })
            .Select(r => new AuditRecord(r.Id, r.At, r.Actor, r.Operation, r.Subject is null ? null : new Guid(r.Subject), r.Outcome, r.Details))
            .ToList();
    }, cancellationToken);

    public Task<int> PurgeAuditAsync(long before, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
            connection.Execute("DELETE FROM audit_events WHERE at < @before;", new { before }, transaction), cancellationToken);

    private static SqliteCommand AuditInsert(SqliteConnection connection, SqliteTransaction? transaction) =>
        Command(connection, transaction,
            "INSERT INTO audit_events (at, actor, operation, subject, outcome, details) VALUES ($at, $actor, $operation, $subject, $outcome, $details);",
            "$at", "$actor", "$operation", "$subject", "$outcome", "$details");

    /// <param name="insert">The prepared insert.</param>
    /// <param name="audit">The event.</param>
    /// <param name="subjectId">The subject's id bytes when the caller has them already, to spare a copy.</param>
    private static void AppendAudit(SqliteCommand insert, AuditRecord audit, byte[]? subjectId = null) =>
        Execute(insert, audit.At, audit.Actor, audit.Operation, audit.Subject is { } s ? subjectId ?? Id(s) : null, audit.Outcome, audit.Details);

    private sealed class AuditRow
    {
        public long Id { get; set; }

        public long At { get; set; }

        public string Actor { get; set; } = string.Empty;

        public string Operation { get; set; } = string.Empty;

        public byte[]? Subject { get; set; }

        public string Outcome { get; set; } = string.Empty;

        public byte[]? Details { get; set; }
    }
}
