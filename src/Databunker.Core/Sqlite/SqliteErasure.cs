using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>
/// The SQLite erasure: an immediate transaction on one pooled connection (begun, committed and rolled back
/// through prepared statements, like the storage's other writes). Each module's step runs at once inside it;
/// the commit deletes the data key (no key, no person: roll back), writes the tombstone and the audit event
/// and commits. Disposing without a commit rolls back.
/// </summary>
internal sealed class SqliteErasure : IErasureTransaction
{
    private readonly SqliteVaultStorage _storage;
    private readonly SqliteConnection _connection;
    private bool _done;

    private SqliteErasure(SqliteVaultStorage storage, SqliteConnection connection)
    {
        _storage = storage;
        _connection = connection;
    }

    public SqliteConnection Connection => _connection;

    /// <summary>Begins an immediate transaction on <paramref name="connection"/>, which the erasure then owns.</summary>
    public static SqliteErasure Begin(SqliteVaultStorage storage, SqliteConnection connection)
    {
        SqliteStatement.For(connection, "BEGIN IMMEDIATE;").Execute();
        return new SqliteErasure(storage, connection);
    }

    public static SqliteErasure Of(IErasureTransaction erasure) =>
        erasure as SqliteErasure ?? throw new ArgumentException("The erasure was begun by another storage.", nameof(erasure));

    /// <summary>Runs one statement of a step, keyed by the person, inside the erasure; returns the rows it changed.</summary>
    public int Execute(string sql, byte[] token) => SqliteStatement.For(_connection, sql).Bind(1, token).Execute();

    public Task<bool> CommitAsync(Guid token, long forgottenAt, AuditRecord audit, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }

        try
        {
            if (!_storage.EndPerson(this, token.ToByteArray(), forgottenAt, audit))
            {
                return Task.FromResult(false);
            }

            SqliteStatement.For(_connection, "COMMIT;").Execute();
            _storage.Checkpointer.Committed(_connection);
            _done = true;
            return Task.FromResult(true);
        }
        catch (Exception ex)
        {
            return Task.FromException<bool>(ex);
        }
    }

    public ValueTask DisposeAsync()
    {
        _done = true;
        SqliteStatement.RollBack(_connection);
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }
}
