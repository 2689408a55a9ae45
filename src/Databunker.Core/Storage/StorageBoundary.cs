using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Databunker.Core;

/// <summary>
/// Puts every storage role behind one boundary where a failure of the database (a <see cref="DbException"/>: the
/// server is down, the file is locked, the disk is full) becomes a <see cref="DatabunkerStorageException"/> that
/// says whether a retry can help, whatever the storage. What a storage throws on purpose (a duplicate, a missing
/// person, a version conflict) passes through unchanged. A call that completes at once costs one check. The guarded
/// implementation of each role, and <c>Wrap</c>, are written at build time from the role interfaces
/// (<c>Databunker.Core.Generators.ForwardingGenerator</c>).
/// </summary>
internal static partial class StorageBoundary
{
    // SQLite's primary result codes that a later attempt can get past: SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR.
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteIoError = 10;

    // A full disk, which a retry alone does not fix (someone must free space): SQLITE_FULL, and PostgreSQL's
    // disk_full (53100), which Npgsql counts as transient.
    private const int SqliteFull = 13;
    private const string PostgreSqlDiskFull = "53100";

    /// <summary>The exception a caller sees for <paramref name="failure"/>: the kind and code of the failure, never its text (which may quote values).</summary>
    public static DatabunkerStorageException Translate(DbException failure)
    {
        var (code, transient) = failure switch
        {
            SqliteException sqlite when (sqlite.SqliteErrorCode & 0xFF) == SqliteFull => ($"disk full, SQLite error {SqliteFull}", false),
            _ when failure.SqlState == PostgreSqlDiskFull => ($"disk full, {failure.GetType().Name} SQLSTATE {PostgreSqlDiskFull}", false),
            SqliteException sqlite => ($"SQLite error {sqlite.SqliteErrorCode}", failure.IsTransient || (sqlite.SqliteErrorCode & 0xFF) is SqliteBusy or SqliteLocked or SqliteIoError),
            _ when failure.SqlState is { Length: > 0 } state => ($"{failure.GetType().Name} SQLSTATE {state}", failure.IsTransient),
            _ => (failure.GetType().Name, failure.IsTransient),
        };
        return new DatabunkerStorageException(
            transient
                ? $"The vault's storage is unavailable ({code}); the failure is transient and a retry can succeed."
                : $"The vault's storage failed ({code}); a retry alone is unlikely to help.",
            transient,
            failure);
    }

    /// <summary>The storage's own erasure under a guarded one, for the storage's role methods.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static IErasureTransaction Unwrap(IErasureTransaction erasure) => erasure is GuardedErasure guarded ? guarded.Inner : erasure;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Task<T> Guard<T>(Task<T> task) => task.IsCompletedSuccessfully ? task : GuardSlowAsync(task);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Task Guard(Task task) => task.IsCompletedSuccessfully ? task : GuardSlowAsync(task);

    private static async Task<T> GuardSlowAsync<T>(Task<T> task)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (DbException ex)
        {
            throw Translate(ex);
        }
    }

    private static async Task GuardSlowAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (DbException ex)
        {
            throw Translate(ex);
        }
    }

    private static async Task<IErasureTransaction> GuardErasureAsync(Task<IErasureTransaction> erasure) =>
        new GuardedErasure(await Guard(erasure).ConfigureAwait(false));

    private sealed class GuardedErasure(IErasureTransaction inner) : IErasureTransaction
    {
        public IErasureTransaction Inner => inner;

        public Task<bool> CommitAsync(Guid token, long forgottenAt, AuditRecord audit, CancellationToken cancellationToken) =>
            Guard(inner.CommitAsync(token, forgottenAt, audit, cancellationToken));

        public async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync().ConfigureAwait(false);
            }
            catch (DbException ex)
            {
                throw Translate(ex);
            }
        }
    }
}
