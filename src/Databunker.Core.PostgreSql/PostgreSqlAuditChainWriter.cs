using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using NpgsqlTypes;

namespace Databunker.Core.PostgreSql;

/// <summary>
/// Links audit events onto one leased stripe (<see cref="PostgreSqlAuditStripes"/>) in a batch. A stripe's head is its
/// newest event: an append inserts the next sequence numbers after the head this instance saw, and the unique index on
/// (stripe, sequence number) refuses them if another instance appended meanwhile (<see cref="IsMoved"/>), which rolls
/// the whole batch back. No row is updated or locked for the chain, so appends on different stripes never wait for one
/// another and cost what an insert of the audit row alone costs; two on the same stripe wait for each other only at
/// the index, and the second fails. A purge keeps each stripe's newest event, so that a stale head meets a row, and a
/// sequence number below the stripe's start (a head remembered from before a purge) fails the insert too.
/// </summary>
internal sealed class PostgreSqlAuditChainWriter
{
    private const string Columns = "INSERT INTO audit_events (at, actor, operation, subject, outcome, details, stripe, seq, link) ";

    // A sequence number below the stripe's start becomes NULL, so that the insert fails: after a purge, a head this
    // instance remembered from before it may lie below the start, where no row refuses it.
    /// <summary>One event; <c>{0}</c> is empty or <c> WHERE</c> and a condition.</summary>
    private const string OneValues = "$1, $2, $3, $4::bytea, $5, $6::bytea, $7, CASE WHEN $8 >= (SELECT first_seq FROM audit_chain WHERE id = $7) THEN $8::bigint END, $9::bytea";
    private const string One = Columns + "SELECT " + OneValues + "{0};";

    /// <summary>Several events in order, one statement.</summary>
    private const string Many = Columns + "SELECT e.at, e.actor, e.operation, e.subject, e.outcome, e.details, $7, " +
        "CASE WHEN e.seq >= (SELECT first_seq FROM audit_chain WHERE id = $7) THEN e.seq END, e.link " +
        "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bytea[], $5::text[], $6::bytea[], $8::bigint[], $9::bytea[]) " +
        "AS e(at, actor, operation, subject, outcome, details, seq, link){0};";

    /// <summary>The types of the event's nine values: at, actor, operation, subject, outcome, details, stripe, seq, link.</summary>
    private static readonly NpgsqlDbType[] EventTypes =
        [NpgsqlDbType.Bigint, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Bytea, NpgsqlDbType.Text, NpgsqlDbType.Bytea, NpgsqlDbType.Integer, NpgsqlDbType.Bigint, NpgsqlDbType.Bytea];

    private static readonly CompositeFormat OneFormat = CompositeFormat.Parse(One);
    private static readonly CompositeFormat ManyFormat = CompositeFormat.Parse(Many);
    private static readonly string OneUnconditional = string.Format(CultureInfo.InvariantCulture, OneFormat, string.Empty);
    private static readonly string ManyUnconditional = string.Format(CultureInfo.InvariantCulture, ManyFormat, string.Empty);

    /// <summary>The statements built from a caller's condition (for one event or several), each built once.</summary>
    private static readonly ConcurrentDictionary<(string Condition, int Count, bool Many), string> Conditional = new();

    /// <summary>The statements built from a caller's read and condition, each built once.</summary>
    private static readonly ConcurrentDictionary<(string Select, string Condition), string> Reads = new();

    private readonly IAuditChain _chain;
    private readonly PostgreSqlAuditStripes.Lease _lease;
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;
    private long _sequence;
    private byte[] _link;
    private (long Sequence, byte[] Link) _beforeLast;

    public PostgreSqlAuditChainWriter(IAuditChain? chain, PostgreSqlAuditStripes.Lease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        _chain = chain ?? throw new InvalidOperationException("This storage was built without an audit chain, so it cannot append audit events.");
        _lease = lease;
        _sequence = lease.Sequence;
        _link = lease.Link ?? throw new InvalidOperationException("The stripe's head is not known.");
        _beforeLast = (_sequence, _link);
    }

    /// <summary>Whether anything was added since the lease's head.</summary>
    public bool Appended => _sequence != _lease.Sequence;

    /// <summary>
    /// Adds the events' statement to <paramref name="batch"/>. With a <paramref name="condition"/> (SQL whose parameters are
    /// written <c>{0}</c>, <c>{1}</c>, ... for <paramref name="values"/>), it appends only when the condition holds; if it
    /// did not (the statement's <see cref="System.Data.Common.DbBatchCommand.RecordsAffected"/> is 0), call <see cref="Undo"/>.
    /// </summary>
    public void Add(NpgsqlBatch batch, AuditRecord audit, string? condition = null, params object?[] values) => AddAll(batch, [audit], condition, values);

    /// <summary>Adds several events in order, one statement, the head moved once.</summary>
    public void AddAll(NpgsqlBatch batch, IReadOnlyList<AuditRecord> audit, string? condition = null, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (audit.Count == 0)
        {
            return;
        }

        if (audit.Count == 1)
        {
            var sql = condition is null ? OneUnconditional : Conditional.GetOrAdd((condition, values.Length, false), static key =>
                string.Format(CultureInfo.InvariantCulture, OneFormat, " WHERE (" + Condition(key.Condition, key.Count) + ")"));
            batch.BatchCommands.Add(Next(sql, audit[0], values));
            return;
        }

        var (first, previous) = (_sequence, _link);
        var at = new long[audit.Count];
        var actors = new string[audit.Count];
        var operations = new string[audit.Count];
        var subjects = new byte[]?[audit.Count];
        var outcomes = new string[audit.Count];
        var details = new byte[]?[audit.Count];
        var sequences = new long[audit.Count];
        var links = new byte[]?[audit.Count];
        for (var i = 0; i < audit.Count; i++)
        {
            var record = audit[i];
            var sequence = first + i + 1;
            previous = _chain.Link(previous, _lease.Stripe, sequence, record);
            (at[i], actors[i], operations[i], subjects[i], outcomes[i], details[i], sequences[i], links[i]) =
                (record.At, record.Actor, record.Operation, record.Person?.ToByteArray(), record.Outcome, record.Details, sequence, previous);
        }

        var many = condition is null ? ManyUnconditional : Conditional.GetOrAdd((condition, values.Length, true), static key =>
            string.Format(CultureInfo.InvariantCulture, ManyFormat, " WHERE (" + Condition(key.Condition, key.Count) + ")"));
        batch.BatchCommands.Add(Command(many, [at, actors, operations, subjects, outcomes, details, _lease.Stripe, sequences, links], values));
        _beforeLast = (_sequence, _link);
        (_sequence, _link) = (first + audit.Count, previous);
    }

    /// <summary>
    /// Adds a read and its event as one statement, so that both see one snapshot: <paramref name="select"/> (one row at most,
    /// its parameters <c>$1</c>, <c>$2</c>, ... for <paramref name="values"/>) runs once, and the event is inserted from its row
    /// when <paramref name="condition"/> (SQL over the row's columns, as <c>r.name</c>) holds. The statement returns the
    /// select's row followed by one more column, whether the event was inserted; if it was not, call <see cref="Undo"/>.
    /// </summary>
    public void AddRead(NpgsqlBatch batch, AuditRecord audit, string select, object?[] values, string condition)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var sql = Reads.GetOrAdd((select, condition), static key =>
            $"WITH r AS ({SqlParameters.Renumber(key.Select.TrimEnd(';', ' '), 9)}), " +
            $"a AS ({Columns}SELECT {OneValues} FROM r WHERE ({key.Condition}) LIMIT 1 RETURNING 1) SELECT r.*, EXISTS (SELECT 1 FROM a) FROM r;");
        batch.BatchCommands.Add(Next(sql, audit, values));
    }

    /// <summary>
    /// Links one event after the head, moves the head, and makes the statement with the event's nine values and the
    /// caller's. Each of the nine is declared with its column's type (and the numbers as typed parameters, not boxed): a
    /// null subject or details sent without a type would make the statement's parameter types differ from those it was
    /// prepared with, and Npgsql would then send it unprepared, to be parsed and planned again on each call.
    /// </summary>
    private NpgsqlBatchCommand Next(string sql, AuditRecord record, object?[] values)
    {
        var sequence = _sequence + 1;
        var link = _chain.Link(_link, _lease.Stripe, sequence, record);
        _beforeLast = (_sequence, _link);
        (_sequence, _link) = (sequence, link);

        var command = new NpgsqlBatchCommand(sql);
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = record.At });
        parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = record.Actor });
        parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = record.Operation });
        parameters.Add(new NpgsqlParameter<byte[]?> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = record.Person?.ToByteArray() });
        parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = record.Outcome });
        parameters.Add(new NpgsqlParameter<byte[]?> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = record.Details });
        parameters.Add(new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer, TypedValue = _lease.Stripe });
        parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = sequence });
        parameters.Add(new NpgsqlParameter<byte[]> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = link });
        AddValues(parameters, values);
        return command;
    }

    /// <summary>The statement of several events: each of the nine values an array of its column's type, and the caller's.</summary>
    private static NpgsqlBatchCommand Command(string sql, object?[] row, object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        for (var i = 0; i < row.Length; i++)
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = row[i] is Array and not byte[] ? NpgsqlDbType.Array | EventTypes[i] : EventTypes[i], Value = row[i] ?? DBNull.Value });
        }

        AddValues(command.Parameters, values);
        return command;
    }

    private static void AddValues(NpgsqlParameterCollection parameters, object?[] values)
    {
        foreach (var value in values)
        {
            parameters.Add(PostgreSqlVaultStorage.Parameter(value));
        }
    }

    /// <summary>The transaction that <see cref="AppendAsync"/> appends in.</summary>
    public void Use(NpgsqlConnection connection, NpgsqlTransaction transaction) => (_connection, _transaction) = (connection, transaction);

    /// <summary>Appends one event now, in the transaction given to <see cref="Use"/>.</summary>
    public async Task AppendAsync(AuditRecord audit, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(_connection ?? throw new InvalidOperationException("The writer has no transaction."), _transaction);
        Add(batch, audit);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets the last <see cref="Add"/>, whose condition did not hold.</summary>
    public void Undo() => (_sequence, _link) = _beforeLast;

    /// <summary>Forgets every <see cref="Add"/>: the batch rolled back.</summary>
    public void Discard() => (_sequence, _link) = (_lease.Sequence, _lease.Link!);

    /// <summary>After the commit: the stripe's head is where this writer left it.</summary>
    public void Committed() => _lease.Moved(_sequence, _link);

    /// <summary>Whether <paramref name="exception"/> says that another instance appended to the stripe since this one saw its head.</summary>
    public static bool IsMoved(PostgresException exception) =>
        exception is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "ux_audit_events_stripe_seq" }
            or { SqlState: PostgresErrorCodes.NotNullViolation, TableName: "audit_events", ColumnName: "seq" };

    /// <summary>The condition with its parameters numbered after the statement's nine.</summary>
    private static string Condition(string condition, int count) =>
        string.Format(CultureInfo.InvariantCulture, condition, Enumerable.Range(10, count).Select(i => (object)("$" + i.ToString(CultureInfo.InvariantCulture))).ToArray());
}
