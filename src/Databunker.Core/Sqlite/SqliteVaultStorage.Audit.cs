using Dapper;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>The audit role: the chained audit trail.</summary>
internal sealed partial class SqliteVaultStorage : IAuditStore
{
    /// <summary>One event in its own write transaction: the chain's head is read and moved with it.</summary>
    public Task AppendAuditAsync(AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            AuditWriter(connection).Append(audit);
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> GetAuditAsync(Guid subject, CancellationToken cancellationToken) => Run(() =>
    {
        // From every sorted run of the index by person, and from the tail not yet indexed; one statement, one snapshot.
        using var connection = _connections.Open();
        return (IReadOnlyList<AuditRecord>)connection.Query<AuditRow>(
            $"SELECT {AuditColumns} FROM audit_events WHERE seq IN " +
            "(SELECT s.seq FROM audit_runs r JOIN audit_subjects s ON s.run = r.run AND s.subject = @subject) " +
            $"UNION ALL SELECT {AuditColumns} FROM audit_events WHERE seq > (SELECT indexed_seq FROM audit_chain WHERE id = 1) AND subject = @subject " +
            "ORDER BY 1;",
            new { subject = Id(subject) }).Select(r => r.ToRecord()).ToList();
    }, cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> GetAuditPageAsync(Guid subject, long afterId, int limit, CancellationToken cancellationToken) => Run(() =>
    {
        // As GetAuditAsync, from the runs and the tail, above the last page's id; each page seeks into every run again.
        using var connection = _connections.Open();
        return (IReadOnlyList<AuditRecord>)connection.Query<AuditRow>(
            $"SELECT {AuditColumns} FROM audit_events WHERE seq IN " +
            "(SELECT s.seq FROM audit_runs r JOIN audit_subjects s ON s.run = r.run AND s.subject = @subject AND s.seq > @afterId) " +
            $"UNION ALL SELECT {AuditColumns} FROM audit_events WHERE seq > MAX(@afterId, (SELECT indexed_seq FROM audit_chain WHERE id = 1)) AND subject = @subject " +
            "ORDER BY 1 LIMIT @limit;",
            new { subject = Id(subject), afterId, limit }).Select(r => r.ToRecord()).ToList();
    }, cancellationToken);

    public Task<int> PurgeAuditAsync(long before, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            // Only a prefix of the chain goes, so that what stays is still one unbroken chain from its new start, and the
            // newest event always stays, as on a server storage. The first event to keep is found by reading from the
            // oldest end in sequence order (there is no time index).
            var last = connection.QuerySingleOrDefault<ChainRow>(
                "SELECT seq, link FROM audit_events WHERE seq < COALESCE((SELECT seq FROM audit_events WHERE at >= @before ORDER BY seq LIMIT 1), " +
                "(SELECT head_seq FROM audit_chain WHERE id = 1)) ORDER BY seq DESC LIMIT 1;",
                new { before });
            if (last is null)
            {
                return 0;
            }

            var purged = connection.Execute("DELETE FROM audit_events WHERE seq <= @Seq;", new { last.Seq });

            // Runs of the index by person that cover only purged events go with them; a run that covers both keeps
            // its entries for the purged ones until it goes too (a lookup finds no event for them).
            connection.Execute("DELETE FROM audit_subjects WHERE run <= @Seq; DELETE FROM audit_runs WHERE run <= @Seq;", new { last.Seq });
            connection.Execute(
                "UPDATE audit_chain SET first_seq = MAX(first_seq, @next), first_prev = CASE WHEN @next > first_seq THEN COALESCE(@Link, first_prev) ELSE first_prev END WHERE id = 1;",
                new { next = last.Seq + 1, last.Link });
            return purged;
        }, cancellationToken);

    /// <summary>One stripe (number 1): SQLite has one writer at a time, so one chain costs no concurrency.</summary>
    public Task<StoredAuditChain> GetAuditChainAsync(CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var transaction = connection.BeginTransaction(deferred: true);
        var head = connection.QuerySingleOrDefault<ChainHead>(
            "SELECT first_seq, first_prev, head_seq, head_link, (SELECT COUNT(*) FROM audit_events) AS events, " +
            "(SELECT COUNT(*) FROM audit_events WHERE link IS NULL AND seq < audit_chain.first_seq) AS legacy_events FROM audit_chain WHERE id = 1;",
            transaction: transaction) ?? throw new InvalidOperationException("The audit chain's head row is missing.");
        transaction.Commit();
        return new StoredAuditChain([new StoredAuditStripe(Stripe, head.FirstSeq, head.FirstPrev, head.HeadSeq, head.HeadLink)], head.Events, head.LegacyEvents);
    }, cancellationToken);

    public Task<IReadOnlyList<ChainedAuditRecord>> GetChainedAuditAsync(int stripe, long afterSequence, int limit, CancellationToken cancellationToken) => Run(() =>
    {
        if (stripe != Stripe)
        {
            return (IReadOnlyList<ChainedAuditRecord>)[];
        }

        using var connection = _connections.Open();
        return (IReadOnlyList<ChainedAuditRecord>)connection.Query<AuditRow>(
                $"SELECT {AuditColumns}, seq, link FROM audit_events WHERE seq > @afterSequence ORDER BY seq LIMIT @limit;", new { afterSequence, limit })
            .Select(r => r.ToChained())
            .ToList();
    }, cancellationToken);

    /// <summary>The number of the one stripe.</summary>
    private const int Stripe = 1;

    /// <summary>The columns of an <see cref="AuditRow"/>.</summary>
    private const string AuditColumns = "seq AS id, at, actor, operation, subject AS person, outcome, details";

    /// <summary>Links events onto the chain inside the connection's write (IMMEDIATE) transaction.</summary>
    private AuditChainWriter AuditWriter(SqliteConnection connection) => new(connection, _auditChain);

    /// <summary>
    /// Reads the chain's head once, then for each event: the next sequence number, its link and the INSERT; the
    /// head's UPDATE once per append. SQLite has one writer at a time, so the head read inside the transaction is
    /// the head. Events are appended without an index entry; once <see cref="RunEvents"/> are waiting, the append
    /// that crosses the mark indexes them by person in one sorted run (see the version 8 migration).
    /// </summary>
    private sealed class AuditChainWriter
    {
        /// <summary>How many events wait unindexed before they are indexed by person in one run.</summary>
        private const int RunEvents = 8192;

        private readonly SqliteConnection _connection;
        private readonly SqliteStatement _insert;
        private readonly SqliteStatement _head;
        private readonly IAuditChain _chain;
        private long _indexed;
        private long _sequence;
        private long _headSequence;
        private byte[] _link;

        public AuditChainWriter(SqliteConnection connection, IAuditChain? chain)
        {
            _connection = connection;
            _chain = chain ?? throw new InvalidOperationException("This storage was built without an audit chain, so it cannot append audit events.");
            using (var head = SqliteStatement.For(connection, "SELECT head_seq, head_link, indexed_seq FROM audit_chain WHERE id = 1;").Query())
            {
                if (!head.Next())
                {
                    throw new InvalidOperationException("The audit chain's head row is missing.");
                }

                _sequence = _headSequence = head.Int64(0);
                _link = head.Bytes(1);
                _indexed = head.Int64(2);
            }

            _insert = SqliteStatement.For(connection,
                "INSERT INTO audit_events (at, actor, operation, subject, outcome, details, seq, link) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8);");
            _head = SqliteStatement.For(connection, "UPDATE audit_chain SET head_seq = ?1, head_link = ?2 WHERE id = 1;");
        }

        public void Append(AuditRecord audit)
        {
            Add(audit);
            MoveHead();
        }

        /// <summary>Appends events in order and moves the head once, after the last.</summary>
        public void AppendAll(IReadOnlyList<AuditRecord> audit)
        {
            for (var i = 0; i < audit.Count; i++)
            {
                Add(audit[i]);
            }

            MoveHead();
        }

        /// <summary>
        /// Inserts one event, chained after the last, without moving the head: a call that appends several moves it once,
        /// with <see cref="MoveHead"/>, after the last (the list that <see cref="AppendAll"/> takes costs a write path an allocation).
        /// </summary>
        public void Add(AuditRecord audit)
        {
            var sequence = _sequence + 1;
            var link = _chain.Link(_link, Stripe, sequence, audit);
            _insert.Bind(1, audit.At).Bind(2, audit.Actor).Bind(3, audit.Operation);
            if (audit.Person is { } subject)
            {
                _insert.Bind(4, subject);
            }
            else
            {
                _insert.BindNull(4);
            }

            _insert.Bind(5, audit.Outcome).Bind(6, audit.Details).Bind(7, sequence).Bind(8, link).Execute();
            (_sequence, _link) = (sequence, link);
        }

        /// <summary>Moves the head to the last event added, if any was.</summary>
        public void MoveHead()
        {
            if (_sequence == _headSequence)
            {
                return;
            }

            _head.Bind(1, _sequence).Bind(2, _link).Execute();
            _headSequence = _sequence;
            if (_sequence - _indexed >= RunEvents)
            {
                IndexRun(_connection, _indexed, _sequence);
                _indexed = _sequence;
            }
        }

        /// <summary>Indexes by person, in one sorted run, the events after <paramref name="indexed"/> up to <paramref name="upTo"/>.</summary>
        /// <remarks>
        /// Runs are not merged on the write path: merging eight runs of 4,096 held the write lock for about 110 ms,
        /// long enough for the reads' audit window to fill and stall them. A lookup reads every run (one index seek
        /// each); purging the trail drops the runs of purged events, which bounds their number.
        /// </remarks>
        private static void IndexRun(SqliteConnection connection, long indexed, long upTo)
        {
            SqliteStatement.For(connection,
                    "INSERT INTO audit_subjects (run, subject, seq) SELECT ?2, subject, seq FROM audit_events WHERE seq > ?1 AND seq <= ?2 AND subject IS NOT NULL ORDER BY subject, seq;")
                .Bind(1, indexed).Bind(2, upTo).Execute();
            SqliteStatement.For(connection, "INSERT INTO audit_runs (run, level) VALUES (?1, 0);").Bind(1, upTo).Execute();
            SqliteStatement.For(connection, "UPDATE audit_chain SET indexed_seq = ?1 WHERE id = 1;").Bind(1, upTo).Execute();
        }
    }

    internal sealed record ChainHead(long FirstSeq, byte[] FirstPrev, long HeadSeq, byte[] HeadLink, long Events, long LegacyEvents);

}
