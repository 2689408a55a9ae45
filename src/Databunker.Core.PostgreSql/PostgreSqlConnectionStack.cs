using System.Data;
using System.Runtime.CompilerServices;

namespace Databunker.Core.PostgreSql;

/// <summary>
/// Open connections that the audited calls gave back, taken again newest first. Npgsql's pool hands out its idle
/// connections oldest first, so that a vault with a few idle connections sends each call to another server process,
/// whose caches are cold for it; in interleaved rounds that cost a single task 5 to 10% of its throughput against the
/// same calls on one connection.
/// <list type="bullet">
/// <item>Every open of the storage takes a kept connection before it asks the pool; while any open waits on the pool,
/// connections go back to the pool instead of being kept, so that a small pool never waits on connections kept here.</item>
/// <item>At most <see cref="MaxKept"/> are kept, and a connection goes back to the pool once it has been idle, or out of
/// the pool, for <see cref="MaxHeld"/>: Npgsql's idle pruning and <c>Connection Lifetime</c> (checked when the pool hands
/// a connection out) then apply as before, at most that much later.</item>
/// <item>Only a connection that is open and idle comes back (the audited calls commit or roll back before they give it);
/// a call that failed disposes its connection instead, and one whose connection broke closes every kept one
/// (<see cref="Clear"/>): a server that went away leaves them all dead. A connection handed out before a clear is not
/// kept when it comes back.</item>
/// <item>Under an ambient <see cref="System.Transactions.Transaction"/> the pool's connection is taken, so that it enlists as before.</item>
/// </list>
/// </summary>
internal sealed class PostgreSqlConnectionStack(NpgsqlDataSource dataSource, TimeProvider time) : IDisposable
{
    /// <summary>How many open connections are kept at most; more go back to Npgsql's pool.</summary>
    public const int MaxKept = 8;

    /// <summary>How long a connection is kept idle, or held out of the pool in all, before it goes back to the pool.</summary>
    public static readonly TimeSpan MaxHeld = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly Stack<(NpgsqlConnection Connection, long KeptAt)> _kept = new(MaxKept);
    private readonly ConditionalWeakTable<NpgsqlConnection, StrongBox<long>> _fromPool = [];
    private int _waiting;
    private long _generation;
    private bool _disposed;

    /// <summary>Changes at each <see cref="Clear"/>: a connection taken before it is not kept when it comes back.</summary>
    public long Generation => Volatile.Read(ref _generation);

    /// <summary>The newest kept connection that has not been idle too long, or an open one from Npgsql's pool.</summary>
    public async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (System.Transactions.Transaction.Current is not null)
        {
            return await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        if (await TakeKeptAsync().ConfigureAwait(false) is { } newest)
        {
            return newest;
        }

        // Counted while this open waits on the pool, so that a connection given back meanwhile goes to the pool; the
        // stack is looked at once more after counting, for one kept between the look above and the count.
        Interlocked.Increment(ref _waiting);
        try
        {
            if (await TakeKeptAsync().ConfigureAwait(false) is { } kept)
            {
                return kept;
            }

            var opened = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            _fromPool.AddOrUpdate(opened, new StrongBox<long>(time.GetTimestamp()));
            return opened;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>The newest kept connection that has not been idle too long; older ones go back to the pool on the way.</summary>
    private async ValueTask<NpgsqlConnection?> TakeKeptAsync()
    {
        while (TryPop(out var kept, out var idle))
        {
            if (idle <= MaxHeld)
            {
                return kept;
            }

            await kept.DisposeAsync().ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>
    /// Gives back a connection taken at <paramref name="generation"/> after a call that succeeded: kept when it is open
    /// and idle, came from the pool less than <see cref="MaxHeld"/> ago, there is room, no open waits on the pool and
    /// nothing was cleared since; otherwise disposed (to the pool).
    /// </summary>
    public ValueTask ReturnAsync(NpgsqlConnection connection, long generation)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.FullState == ConnectionState.Open && System.Transactions.Transaction.Current is null
            && _fromPool.TryGetValue(connection, out var fromPool) && time.GetElapsedTime(fromPool.Value) <= MaxHeld)
        {
            lock (_gate)
            {
                if (!_disposed && _kept.Count < MaxKept && Volatile.Read(ref _waiting) == 0 && generation == _generation)
                {
                    _kept.Push((connection, time.GetTimestamp()));
                    return ValueTask.CompletedTask;
                }
            }
        }

        return connection.DisposeAsync();
    }

    /// <summary>After a call failed: when its connection broke, the kept ones are closed too (they likely went with it).</summary>
    public void Failed(NpgsqlConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.FullState != ConnectionState.Open)
        {
            Clear();
        }
    }

    /// <summary>Closes every kept connection, and refuses to keep those handed out before.</summary>
    public void Clear()
    {
        (NpgsqlConnection Connection, long KeptAt)[] kept;
        lock (_gate)
        {
            _generation++;
            kept = [.. _kept];
            _kept.Clear();
        }

        foreach (var (connection, _) in kept)
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

    private bool TryPop(out NpgsqlConnection connection, out TimeSpan idle)
    {
        lock (_gate)
        {
            if (_kept.TryPop(out var kept))
            {
                (connection, idle) = (kept.Connection, time.GetElapsedTime(kept.KeptAt));
                return true;
            }
        }

        (connection, idle) = (null!, TimeSpan.Zero);
        return false;
    }
}
