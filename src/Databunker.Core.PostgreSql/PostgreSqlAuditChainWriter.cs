using System.Globalization;

namespace Databunker.Core.PostgreSql;

/// <summary>
/// Links audit events onto the chain inside one transaction. <see cref="LockAsync"/> takes the chain's head
/// row FOR UPDATE as the transaction's first lock, so that appends from every instance form one order; every
/// audited write takes it first, before any row lock of its own, so that no two of them can deadlock.
/// </summary>
internal sealed class PostgreSqlAuditChainWriter
{
    private const string Insert =
        "INSERT INTO audit_events (at, actor, operation, subject, outcome, details, seq, link) SELECT $1, $2, $3, $4::bytea, $5, $6::bytea, $7, $8";

    private const string Head = "UPDATE audit_chain SET head_seq = $1, head_link = $2 WHERE id = 1";

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly IAuditChain _chain;
    private long _sequence;
    private byte[] _link;
    private (long Sequence, byte[] Link) _beforeLast;

    private PostgreSqlAuditChainWriter(NpgsqlConnection connection, NpgsqlTransaction transaction, IAuditChain chain, long sequence, byte[] link)
    {
        _connection = connection;
        _transaction = transaction;
        _chain = chain;
        (_sequence, _link) = (sequence, link);
        _beforeLast = (sequence, link);
    }

    public static async Task<PostgreSqlAuditChainWriter> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IAuditChain? chain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chain, "auditChain");
        await using var select = PostgreSqlVaultStorage.Command(connection, transaction, "SELECT head_seq, head_link FROM audit_chain WHERE id = 1 FOR UPDATE;");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new PostgreSqlAuditChainWriter(connection, transaction, chain, reader.GetInt64(0), (byte[])reader.GetValue(1));
    }

    /// <summary>
    /// Adds the event's INSERT and the head's UPDATE to <paramref name="batch"/>. With a <paramref name="condition"/>
    /// (SQL whose parameters are written <c>{0}</c>, <c>{1}</c>, ... for <paramref name="values"/>), both run only when
    /// it holds; if it did not, call <see cref="Undo"/>.
    /// </summary>
    public void Add(NpgsqlBatch batch, AuditRecord audit, string? condition = null, params object?[] values)
    {
        var sequence = _sequence + 1;
        var link = _chain.Link(_link, sequence, audit);
        var subject = audit.Subject is { } s ? s.ToByteArray() : null;
        batch.BatchCommands.Add(Command(Insert, condition, 9, [audit.At, audit.Actor, audit.Operation, subject, audit.Outcome, audit.Details, sequence, link], values));
        batch.BatchCommands.Add(Command(Head, condition, 3, [sequence, link], values));
        _beforeLast = (_sequence, _link);
        (_sequence, _link) = (sequence, link);
    }

    /// <summary>Forgets the last <see cref="Add"/>, whose condition did not hold.</summary>
    public void Undo() => (_sequence, _link) = _beforeLast;

    /// <summary>Appends one event now.</summary>
    public async Task AppendAsync(AuditRecord audit, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(_connection, _transaction);
        Add(batch, audit);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlBatchCommand Command(string sql, string? condition, int firstConditionParameter, object?[] values, object?[] conditionValues)
    {
        if (condition is not null)
        {
            var names = Enumerable.Range(firstConditionParameter, conditionValues.Length).Select(i => (object)("$" + i.ToString(CultureInfo.InvariantCulture))).ToArray();
            sql += (sql.Contains(" WHERE ", StringComparison.Ordinal) ? " AND " : " WHERE ") + string.Format(CultureInfo.InvariantCulture, condition, names);
        }

        var command = new NpgsqlBatchCommand(sql + ";");
        foreach (var value in condition is null ? values : [.. values, .. conditionValues])
        {
            command.Parameters.Add(PostgreSqlVaultStorage.Parameter(value));
        }

        return command;
    }
}
