using System.Data;

namespace Databunker.Core.PostgreSql;

/// <summary>
/// Open connections that the audited calls gave back, taken again newest first. Npgsql's pool hands out its idle
/// connections oldest first, so that a vault with a few idle connections sends each call to another server process,
/// whose caches and CPU are cold for it; in interleaved rounds that cost a single task 5 to 10% of its throughput
/// against the same calls on one connection. A connection kept here stays open, so it is taken before the pool is
/// asked for one, by every open of the storage (a busy pool is never waiting on connections parked here), and at most
/// <see cref="MaxKept"/> are kept. Only a connection that is open and idle, outside any transaction, comes back; a call
/// that failed disposes its connection instead (back to Npgsql's pool, which resets or drops it), and a failure of the
/// connection itself empties the stack, as a server that went away leaves every kept connection dead.
/// </summary>
internal sealed class PostgreSqlConnectionStack(NpgsqlDataSource dataSource) : IDisposable
{
    /// <summary>How many open connections are kept at most; more go back to Npgsql's pool.</summary>
    public const int MaxKept = 8;

    private readonly Lock _gate = new();
    private readonly Stack<NpgsqlConnection> _kept = new(MaxKept);
    private bool _disposed;

    /// <summary>The newest kept connection, or an open one from Npgsql's pool.</summary>
    /// <remarks>Under an ambient <see cref="System.Transactions.Transaction"/> the pool's is taken, so that it enlists as before.</remarks>
    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (System.Transactions.Transaction.Current is null)
        {
            lock (_gate)
            {
                if (_kept.TryPop(out var kept))
                {
                    return ValueTask.FromResult(kept);
                }
            }
        }

        return dataSource.OpenConnectionAsync(cancellationToken);
    }

    /// <summary>Gives a connection back after a call that succeeded: kept when it is open, idle and there is room, else disposed.</summary>
    public ValueTask ReturnAsync(NpgsqlConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.FullState == ConnectionState.Open && System.Transactions.Transaction.Current is null)
        {
            lock (_gate)
            {
                if (!_disposed && _kept.Count < MaxKept)
                {
                    _kept.Push(connection);
                    return ValueTask.CompletedTask;
                }
            }
        }

        return connection.DisposeAsync();
    }

    /// <summary>Closes every kept connection: the connection of a call failed, so the others may be dead too.</summary>
    public void Clear()
    {
        NpgsqlConnection[] kept;
        lock (_gate)
        {
            kept = [.. _kept];
            _kept.Clear();
        }

        foreach (var connection in kept)
        {
            connection.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        Clear();
    }
}
