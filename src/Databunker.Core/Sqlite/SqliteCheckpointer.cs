namespace Databunker.Core.Sqlite;

/// <summary>
/// Runs the write-ahead log's checkpoints off the request path: SQLite's automatic checkpoint is off on the
/// vault's connections (see <see cref="SqliteStorageOptions.BackgroundCheckpointCommits"/>), every commit is
/// counted here, and every so many commits a background thread runs a passive checkpoint, which copies what
/// it can without waiting for readers or blocking writers. Signals that come while it runs fold into one. A commit
/// that leaves the log file at twice <see cref="SqliteStorageOptions.JournalSizeLimit"/> asks for a checkpoint too,
/// however few commits went before: a bulk create of thousands of persons is one commit, and counting commits alone
/// let the log of a bulk load grow to tens of gigabytes before the first checkpoint.
/// <para>
/// Writers that never pause keep passive checkpoints from ever catching up, and the log only starts over when a writer
/// begins with all of it copied. So once the log holds three quarters of the journal size limit (of 1,000 pages at
/// least), the background thread takes its turn at the vault's writer gate, first come first served, and copies the few
/// frames committed since its last pass while no gated writer runs (an erasure, which does not take the gate, or a
/// reader on an older snapshot can still keep the log from starting over): the next writer starts the log over. (It
/// used to be the committing writer that restarted a log past four times the bound with a RESTART checkpoint, on a
/// caller's request, and the file was cut back and grown again at every restart: a fifth more time on every create,
/// measured in docs/benchmarks.md.) A writer that still finds the log past four times the bound restarts it itself,
/// but only when no checkpoint is under way, and once per bound of growth.
/// </para>
/// </summary>
internal sealed class SqliteCheckpointer(SqliteConnectionFactory connections, SemaphoreSlim writers, ILogger logger) : IDisposable
{
    private readonly int _every = connections.BackgroundCheckpointCommits;
    // The log file's metadata, refreshed at each commit: a new FileInfo per commit was a quarter of a kilobyte on every write.
    private readonly FileInfo _log = new(connections.DataSource + "-wal");
    private readonly long _longLog = 2 * connections.RestartCheckpointPages * 4096;

    // The log is started over at three quarters of the journal size limit: at the default limit the file then stays
    // under it between two restarts unless one commit (a bulk load) takes it further, so it is not cut back and grown
    // again (each cycle of that cost a fifth of the time of every create), and each restart, a stall of the writers
    // for a sync, comes once per tens of megabytes.
    private readonly long _restartFrames = connections.RestartCheckpointPages * 3 / 4;

    // Where the log's length next asks for a background checkpoint, and where its writer next restarts it; changed by
    // committing writers, which the vault's writer gate lets in one at a time, and by erasures, which do not take the
    // gate: a race between them moves a threshold by at most one bound, and the thresholds only decide when to ask.
    private long _nextRequest;
    private long _nextRestart;
    private readonly Lock _gate = new();
    private int _commits;
    private bool _requested;
    private Task _running = Task.CompletedTask;
    private readonly SemaphoreSlim _signal = new(0);
    private TaskCompletionSource? _burst;
    private Thread? _thread;
    private bool _disposed;

    /// <summary>How many background checkpoints have finished.</summary>
    public int Completed { get; private set; }

    /// <summary>How many times a committing writer restarted the log itself, because the background thread had not.</summary>
    public int WriterRestarts { get; private set; }

    /// <summary>
    /// Counts a commit made on <paramref name="connection"/>, whose caller still holds the vault's writer gate and no
    /// transaction. Every <see cref="SqliteStorageOptions.BackgroundCheckpointCommits"/> commits, or when the log file
    /// has grown past twice the restart bound, it asks for a background checkpoint. Past four times the bound, with no
    /// checkpoint under way, this writer restarts the log itself before it goes on: the load slows down instead of the
    /// log growing until the disk is full.
    /// </summary>
    public void Committed(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        if (_every <= 0)
        {
            return;
        }

        // The file only shrinks when a writer starts the log over; while a reader keeps it from that, asking again at
        // every commit would keep the background thread and this writer checkpointing without end. So a long log asks
        // once, and again only after it has grown by another bound; a log back under the bound starts afresh.
        var length = LogLength();
        var counted = Interlocked.Increment(ref _commits) % _every == 0;
        if (length < _longLog)
        {
            (_nextRequest, _nextRestart) = (_longLog, 2 * _longLog);
        }

        if (counted || length >= _nextRequest)
        {
            _nextRequest = Math.Max(_nextRequest, length + (_longLog / 2));
            Request();
        }

        if (length >= _nextRestart && Idle.IsCompleted)
        {
            // The log is long and no background checkpoint is under way to bound it. This writer never waits for one:
            // a RESTART beside it would find the checkpoint lock taken, and the background thread may be waiting for the
            // gate that this writer holds.
            // Whatever the outcome, the next try waits for another bound of growth: a reader that keeps the log from
            // starting over would otherwise have every commit wait up to the busy timeout for it.
            _nextRestart = length + _longLog;
            try
            {
                if (Checkpoint(connection, "RESTART").Done)
                {
                    WriterRestarts++;
                }
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
            {
                // The commit stands; a later one tries again.
                SqliteLog.CheckpointFailed(logger, ex);
            }
        }
    }

    /// <summary>The checkpoint under way, or a completed task when none is.</summary>
    public Task Idle
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    /// <summary>The size of the log file (one stat, a microsecond or two beside a commit's tens); 0 when there is none.</summary>
    private long LogLength()
    {
        // Under the gate: a writer's commit and an erasure's can overlap, and one FileInfo is not safe to refresh from two threads.
        lock (_gate)
        {
            try
            {
                _log.Refresh();
                return _log.Exists ? _log.Length : 0;
            }
            catch (IOException)
            {
                return 0;
            }
        }
    }

    /// <summary>Asks for a checkpoint on the background thread; returns the task that completes once it has run.</summary>
    public Task Request()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.CompletedTask;
            }

            _requested = true;
            if (_running.IsCompleted)
            {
                _burst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _running = _burst.Task;
                if (_thread is null)
                {
                    // A thread of its own, not the thread pool: writers doing SQLite's synchronous I/O on every pool
                    // thread kept a queued checkpoint from starting for hundreds of milliseconds while the log grew by
                    // a hundred megabytes.
                    // UnsafeStart: the thread serves every later writer, not the first one's activity or logging scope.
                    _thread = new Thread(Loop) { IsBackground = true, Name = "Databunker SQLite checkpoints" };
                    _thread.UnsafeStart();
                }

                _signal.Release();
            }

            return _running;
        }
    }

    public void Dispose()
    {
        Thread? thread;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _requested = false;
            thread = _thread;
            _signal.Release();
        }

        // The loop ends after the checkpoint under way (which may first wait its turn behind the writers queued at the
        // gate); requests not yet run complete without running, and the last connection's close checkpoints the rest.
        thread?.Join();
        _signal.Dispose();
    }

    private void Loop()
    {
        while (true)
        {
            _signal.Wait();
            while (true)
            {
                lock (_gate)
                {
                    if (_disposed || !_requested)
                    {
                        // Nothing more asked for: the burst is over, and the next request starts another.
                        _burst?.TrySetResult();
                        if (_disposed)
                        {
                            return;
                        }

                        break;
                    }

                    _requested = false;
                }

                RunOnce();
            }
        }
    }

    private void RunOnce()
    {
        try
        {
            using var connection = connections.Open();

            // A pass copies what was committed when it began; commits made meanwhile are left for the next. A few
            // passes in a row usually catch up, and once one has, the next commit starts the log over. A long log
            // gets one pass only: more would chase writers that never pause while the log grows.
            var pass = Checkpoint(connection, "PASSIVE");
            for (var passes = 1; passes < 4 && pass.Copied < pass.Log && pass.Log < _restartFrames; passes++)
            {
                pass = Checkpoint(connection, "PASSIVE");
            }

            if (pass.Log >= _restartFrames)
            {
                // The log starts over only when a writer begins with every frame of it copied, and writers that never
                // pause always commit more between a pass and the next writer. So past the bound this thread waits
                // for a turn at their gate and copies the few frames committed since its pass. It waits as one of
                // the gate's queued waiters, first come first served: a plain Wait could lose the gate to every writer
                // that arrives as it is let go, and SQLite's busy handler, polling, lost to all of them.
                writers.WaitAsync(CancellationToken.None).Wait();
                try
                {
                    Checkpoint(connection, "PASSIVE");
                }
                finally
                {
                    writers.Release();
                }
            }

            Completed++;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever failed, on a thread of its own an exception would end the host's process; the next request
            // tries again, and the commits stand.
            SqliteLog.CheckpointFailed(logger, ex);
        }
    }

    /// <summary>
    /// Runs a checkpoint; returns whether it finished (a RESTART does not when another checkpoint holds the lock or a
    /// reader stays in the log), how many frames the log held and how many of them are in the database now.
    /// </summary>
    private static (bool Done, long Log, long Copied) Checkpoint(Microsoft.Data.Sqlite.SqliteConnection connection, string mode)
    {
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = $"PRAGMA wal_checkpoint({mode});";
        using var reader = checkpoint.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0) == 0, reader.GetInt64(1), reader.GetInt64(2)) : (true, 0, 0);
    }
}
