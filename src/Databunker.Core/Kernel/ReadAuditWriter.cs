namespace Databunker.Core.Kernel;

/// <summary>
/// Group commit for the audit events of reads (<c>person.get</c>, <c>token.detokenize</c>). A read hands its
/// events over and returns; the writer waits <see cref="DatabunkerOptions.ReadAuditDelay"/> for more (or
/// until half the window is waiting), then appends everything handed over so far in one transaction, and
/// while it commits the next reads' events gather into the next batch. At most <see cref="DatabunkerOptions.ReadAuditWindow"/> events are ever handed
/// over and not yet committed: that is what a crash can lose. A read that would exceed the window commits
/// the waiting events itself first, so a storage failure reaches the reader instead of piling up. A window
/// of 0 commits every read's events before the read returns. Writes never come here: their event is in
/// their own transaction.
/// <para>
/// The writer runs on a thread of its own while events wait (and ends when none do), not on the thread pool:
/// reads on SQLite complete synchronously, so under load the readers keep every pool thread busy and a pool
/// writer waited for a thread until the window filled and the readers stalled behind it (tens of
/// milliseconds). A thread of its own is scheduled by the operating system beside the readers.
/// </para>
/// </summary>
internal sealed class ReadAuditWriter : IAsyncDisposable, IDisposable
{
    private readonly IAuditStore _store;
    private readonly int _window;
    private readonly TimeSpan _delay;
    private readonly TimeProvider _time;
    private readonly ManualResetEventSlim _batchReady = new(false, spinCount: 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _commit = new(1, 1);
    private List<AuditRecord> _pending = [];
    private Task _writer = Task.CompletedTask;
    private int _uncommitted;
    private bool _writing;
    private bool _faulted;
    private bool _disposed;

    public ReadAuditWriter(IAuditStore store, TimeProvider time, IOptions<DatabunkerOptions> options, ILogger<ReadAuditWriter>? logger = null)
    {
        _store = store;
        _time = time;
        _window = options.Value.ReadAuditWindow;
        _delay = options.Value.ReadAuditDelay;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>How many events are handed over and not yet committed.</summary>
    public int Uncommitted
    {
        get
        {
            lock (_gate)
            {
                return _uncommitted;
            }
        }
    }

    /// <summary>The background writer's latest run; it ends once nothing waits (or a commit failed).</summary>
    internal Task Writer
    {
        get
        {
            lock (_gate)
            {
                return _writer;
            }
        }
    }

    /// <summary>Hands a read's events over; they are committed before the read returns only when the window is 0 or full.</summary>
    public Task AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            if (!_disposed && _uncommitted + records.Count <= _window)
            {
                _pending.AddRange(records);
                _uncommitted += records.Count;
                if (!_writing && !_faulted)
                {
                    _writing = true;
                    _writer = Task.Factory.StartNew(Write, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
                }
                else if (_pending.Count >= _window / 2 && _pending.Count - records.Count < _window / 2)
                {
                    // Half the window waits: the writer need not wait out its delay.
                    _batchReady.Set();
                }

                return Task.CompletedTask;
            }
        }

        return AppendSlowAsync(records, cancellationToken);
    }

    /// <summary>Commits every event handed over before the call; a storage failure is thrown and the events are kept for the next try.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _commit.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CommitPendingAsync().ConfigureAwait(false);
        }
        finally
        {
            _commit.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ReadAuditLost(_logger, Uncommitted, ex);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task AppendSlowAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        while (true)
        {
            bool direct;
            lock (_gate)
            {
                direct = _disposed || records.Count > _window;
                if (!direct && _uncommitted + records.Count <= _window)
                {
                    _pending.AddRange(records);
                    _uncommitted += records.Count;
                    return;
                }
            }

            // Full (or too many for the window, or shutting down): commit what waits, then these, in order.
            await _commit.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await CommitPendingAsync().ConfigureAwait(false);
                if (direct)
                {
                    await _store.AppendAuditAsync(records, CancellationToken.None).ConfigureAwait(false);
                    return;
                }
            }
            finally
            {
                _commit.Release();
            }
        }
    }

    /// <summary>
    /// The background writer, on its own thread: commits batches until nothing waits. A failure keeps the batch
    /// and stops it until a reader or a flush tries again. SQLite completes the append synchronously; a provider
    /// that does not blocks only this thread.
    /// </summary>
    private void Write()
    {
        while (true)
        {
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _writing = false;
                    return;
                }
            }

            Gather();
            _commit.Wait(CancellationToken.None);
            try
            {
                CommitPendingAsync().GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                Log.ReadAuditDeferred(_logger, Uncommitted, ex);
                lock (_gate)
                {
                    _writing = false;
                }

                return;
            }
            finally
            {
                _commit.Release();
            }
        }
    }

    /// <summary>Lets a batch gather: waits the delay on the host's clock, unless half the window waits already or the vault stops.</summary>
    private void Gather()
    {
        if (_delay <= TimeSpan.Zero)
        {
            return;
        }

        lock (_gate)
        {
            if (_pending.Count >= _window / 2)
            {
                return;
            }

            // Under the gate: a reader that brings the batch to half the window sets it after this, never before.
            _batchReady.Reset();
        }

        using var timer = _time.CreateTimer(static state => ((ManualResetEventSlim)state!).Set(), _batchReady, _delay, Timeout.InfiniteTimeSpan);
        try
        {
            _batchReady.Wait(_stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // The vault stops: commit now.
        }
    }

    /// <summary>Appends what waits in one transaction; the caller holds <see cref="_commit"/>.</summary>
    private async Task CommitPendingAsync()
    {
        List<AuditRecord> batch;
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            batch = _pending;
            _pending = [];
        }

        try
        {
            // Not cancellable: once the transaction is under way, whether it committed must be known.
            await _store.AppendAuditAsync(batch, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                batch.AddRange(_pending);
                _pending = batch;
                _faulted = true;
            }

            throw;
        }

        lock (_gate)
        {
            _uncommitted -= batch.Count;
            _faulted = false;
        }
    }
}
