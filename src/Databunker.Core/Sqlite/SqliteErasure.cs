using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>
/// The SQLite erasure: an immediate transaction on one pooled connection. Each module's step runs at once
/// inside it; the commit deletes the data key (no key, no person: roll back), writes the tombstone and the
/// audit event and commits. Disposing without a commit rolls back.
/// </summary>
internal sealed class SqliteErasure(SqliteVaultStorage storage, SqliteConnection connection, SqliteTransaction transaction) : IErasureTransaction
{
    private bool _done;

    public SqliteConnection Connection => connection;

    public SqliteTransaction Transaction => transaction;

    public static SqliteErasure Of(IErasureTransaction erasure) =>
        erasure as SqliteErasure ?? throw new ArgumentException("The erasure was begun by another storage.", nameof(erasure));

    /// <summary>Runs one statement of a step, keyed by the person, inside the erasure; returns the rows it changed.</summary>
    public int Execute(string sql, byte[] token) => SqliteVaultStorage.ExecuteByToken(connection, transaction, sql, token);

    public Task<bool> CommitAsync(Guid token, long forgottenAt, AuditRecord audit, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }

        try
        {
            if (!storage.EndPerson(this, token.ToByteArray(), forgottenAt, audit))
            {
                return Task.FromResult(false);
            }

            transaction.Commit();
            storage.Checkpointer.Committed();
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
        transaction.Dispose();
        connection.Dispose();
        return ValueTask.CompletedTask;
    }
}
