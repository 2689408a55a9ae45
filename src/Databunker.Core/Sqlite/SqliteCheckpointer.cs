namespace Databunker.Core.Sqlite;

/// <summary>
/// Runs the write-ahead log's checkpoints off the request path: SQLite's automatic checkpoint is off on the
/// vault's connections (see <see cref="SqliteStorageOptions.BackgroundCheckpointCommits"/>), every commit is
/// counted here, and every so many commits one background task runs a passive checkpoint, which copies what
/// it can without waiting for readers or blocking writers. Signals that come while it runs fold into one. Once
/// the log holds more than <see cref="SqliteStorageOptions.JournalSizeLimit"/> worth of pages, a RESTART
/// checkpoint bounds it. A commit that leaves the log file at twice that size asks for a checkpoint too, however few
/// commits went before: a bulk create of thousands of persons is one commit, and counting commits alone let the log of
/// a bulk load grow to tens of gigabytes before the first checkpoint. Past four times the bound the committing writer
/// restarts the log itself (<see cref="Committed"/>).
/// </summary>
internal sealed class SqliteCheckpointer(SqliteConnectionFactory connections, ILogger logger) : IDisposable
{
    private readonly int _every = connections.BackgroundCheckpointCommits;
    // The log file's metadata, refreshed at each commit: a new FileInfo per commit was a quarter of a kilobyte on every write.
    private readonly FileInfo _log = new(connections.DataSource + "-wal");
    private readonly long _longLog = 2 * connections.RestartCheckpointPages * 4096;

    // Where the log's length next asks for a background checkpoint, and where its writer next restarts it; changed only
    // by committing writers, which the vault's writer gate lets in one at a time.
    private long _nextRequest;
    private long _nextRestart;
    private readonly Lock _gate = new();
    private int _commits;
    private bool _requested;
    private Task _running = Task.CompletedTask;
    private bool _disposed;

    /// <summary>How many background checkpoints have finished.</summary>
    public int Completed { get; private set; }

    /// <summary>
    /// Counts a commit made on <paramref name="connection"/>, whose caller still holds the vault's writer gate and no
    /// transaction. Every <see cref="SqliteStorageOptions.BackgroundCheckpointCommits"/> commits, or when the log file
    /// has grown past twice the restart bound, it asks for a background checkpoint. Past four times the bound the
    /// background ones have fallen behind a writer that never pauses (a bulk load), and this writer restarts the log
    /// itself before it goes on: the load slows down instead of the log growing until the disk is full.
    /// </summary>
    public void Committed(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        if (_every <= 0)
        {
            return;
        }

        // The file only shrinks when a writer starts the log over; while a reader keeps it from that, asking again at
        // every commit would keep the background task and this writer checkpointing without end. So a long log asks
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

        if (length >= _nextRestart)
        {
            _nextRestart = length + _longLog;
            try
            {
                // A background checkpoint under way holds the checkpoint lock, and a RESTART beside it would fail at
                // once: this writer waits for it first (it holds no lock that the background one waits for), whatever
                // that one's outcome, which it logs itself.
                Idle.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Wait();
                Checkpoint(connection, "RESTART");
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
            {
                // The commit stands; a later one tries again once the log has grown by another bound.
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

    /// <summary>Asks for a checkpoint on the background task; returns the task that will run it.</summary>
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
                _running = Task.Run(Run, CancellationToken.None);
            }

            return _running;
        }
    }

    public void Dispose()
    {
        Task running;
        lock (_gate)
        {
            _disposed = true;
            _requested = false;
            running = _running;
        }

        // The loop ends after the checkpoint under way; the last connection's close checkpoints the rest.
        running.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Wait();
    }

    private void Run()
    {
        while (true)
        {
            lock (_gate)
            {
                if (!_requested || _disposed)
                {
                    return;
                }

                _requested = false;
            }

            try
            {
                using var connection = connections.Open();

                // A pass copies what was committed when it began; commits made meanwhile are left for the next.
                // A few passes in a row usually catch up, and once one has, the next commit starts the log over.
                var (log, copied) = Checkpoint(connection, "PASSIVE");
                for (var pass = 1; pass < 4 && copied < log; pass++)
                {
                    (log, copied) = Checkpoint(connection, "PASSIVE");
                }

                if (copied < log && log >= connections.RestartCheckpointPages)
                {
                    // Writers that never pause keep passive checkpoints from ever catching up, and the log only
                    // starts over once one has. Past the bound, a RESTART waits for the writer under way, copies
                    // what the passive ones left and makes the next writer start the log over: a stall of the
                    // writers, but once per bound's worth of pages and only when they never pause.
                    Checkpoint(connection, "RESTART");
                }

                Completed++;
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
            {
                SqliteLog.CheckpointFailed(logger, ex);
            }
        }
    }

    /// <summary>Runs a checkpoint; returns how many frames the log held and how many of them are in the database now.</summary>
    private static (long Log, long Copied) Checkpoint(Microsoft.Data.Sqlite.SqliteConnection connection, string mode)
    {
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = $"PRAGMA wal_checkpoint({mode});";
        using var reader = checkpoint.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(1), reader.GetInt64(2)) : (0, 0);
    }
}
