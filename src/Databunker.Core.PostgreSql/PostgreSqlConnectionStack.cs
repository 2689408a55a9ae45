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
/// <item>At most <see cref="MaxKept"/> are kept. A connection out of the pool for longer than <see cref="MaxHeld"/> is
/// not kept, nor handed out again, and a sweep every <see cref="MaxHeld"/> gives back those idle for longer: so a
/// connection is back in the pool within twice that, where Npgsql's idle pruning and <c>Connection Lifetime</c> (checked
/// when the pool hands a connection out) apply as before.</item>
/// <item>Only a connection that is open and idle comes back (the audited calls commit or roll back before they give it);
/// a call that failed disposes its connection instead, and an audited call whose connection broke closes every kept one
/// (<see cref="Clear"/>): a server that went away leaves them all dead. A connection handed out before a clear is not
/// kept when it comes back.</item>
/// <item>Under an ambient <see cref="System.Transactions.Transaction"/> the pool's connection is taken, so that it enlists as before.</item>
/// </list>
/// </summary>
internal sealed class PostgreSqlConnectionStack : IDisposable
{
    /// <summary>How many open connections are kept at most; more go back to Npgsql's pool.</summary>
    public const int MaxKept = 8;

    /// <summary>How long a connection may be out of the pool and still be kept or handed out again; also the sweep's period.</summary>
    public static readonly TimeSpan MaxHeld = TimeSpan.FromSeconds(10);

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;
    private readonly Lock _gate = new();
    private readonly List<Kept> _kept = new(MaxKept);
    private readonly ConditionalWeakTable<NpgsqlConnection, StrongBox<long>> _fromPool = [];
    private int _waiting;
    private long _generation;
    private bool _disposed;

    public PostgreSqlConnectionStack(NpgsqlDataSource dataSource, TimeProvider time)
    {
        _dataSource = dataSource;
        _time = time;
        // The sweep lives as long as the storage: it must not hold on to whatever ambient state (an Activity, an
        // AsyncLocal) the code that built the storage happened to carry.
        using (ExecutionContext.SuppressFlow())
        {
            _sweep = time.CreateTimer(static state => ((PostgreSqlConnectionStack)state!).Sweep(), this, MaxHeld, MaxHeld);
        }
    }

    /// <summary>Changes at each <see cref="Clear"/>: a connection taken before it is not kept when it comes back.</summary>
    public long Generation => Volatile.Read(ref _generation);

    /// <summary>The newest kept connection that is still fresh, or an open one from Npgsql's pool.</summary>
    public async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var ambient = System.Transactions.Transaction.Current is not null;
        if (!ambient && await TakeKeptAsync().ConfigureAwait(false) is { } newest)
        {
            return newest;
        }

        // Counted while this open waits on the pool, so that a connection given back meanwhile goes to the pool; the
        // stack is looked at once more after counting, for one kept between the look above and the count.
        Interlocked.Increment(ref _waiting);
        try
        {
            if (!ambient && await TakeKeptAsync().ConfigureAwait(false) is { } kept)
            {
                return kept;
            }

            var opened = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            if (!ambient)
            {
                _fromPool.AddOrUpdate(opened, new StrongBox<long>(_time.GetTimestamp()));
            }

            return opened;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
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
            && _fromPool.TryGetValue(connection, out var fromPool) && _time.GetElapsedTime(fromPool.Value) <= MaxHeld)
        {
            lock (_gate)
            {
                if (!_disposed && _kept.Count < MaxKept && Volatile.Read(ref _waiting) == 0 && generation == _generation)
                {
                    _kept.Add(new Kept(connection, fromPool.Value, _time.GetTimestamp()));
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
        Kept[] kept;
        lock (_gate)
        {
            _generation++;
            kept = [.. _kept];
            _kept.Clear();
        }

        foreach (var entry in kept)
        {
            entry.Connection.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _sweep.Dispose();
        Clear();
    }

    /// <summary>The newest kept connection that is still fresh; stale ones go back to the pool on the way.</summary>
    private async ValueTask<NpgsqlConnection?> TakeKeptAsync()
    {
        while (true)
        {
            Kept entry;
            lock (_gate)
            {
                if (_kept.Count == 0)
                {
                    return null;
                }

                entry = _kept[^1];
                _kept.RemoveAt(_kept.Count - 1);
            }

            if (IsFresh(entry))
            {
                return entry.Connection;
            }

            await entry.Connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Gives the kept connections that are no longer fresh back to the pool, so that an idle host holds none for long.</summary>
    private void Sweep()
    {
        List<Kept>? stale = null;
        lock (_gate)
        {
            for (var i = _kept.Count - 1; i >= 0; i--)
            {
                if (!IsFresh(_kept[i]))
                {
                    (stale ??= []).Add(_kept[i]);
                    _kept.RemoveAt(i);
                }
            }
        }

        foreach (var entry in stale ?? [])
        {
            entry.Connection.Dispose();
        }
    }

    private bool IsFresh(Kept entry) =>
        _time.GetElapsedTime(entry.KeptAt) <= MaxHeld && _time.GetElapsedTime(entry.FromPool) <= MaxHeld;

    /// <summary>A kept connection, when it came from the pool and when it was kept.</summary>
    private readonly record struct Kept(NpgsqlConnection Connection, long FromPool, long KeptAt);
}
