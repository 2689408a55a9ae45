namespace Databunker.Core.PostgreSql;

/// <summary>
/// This instance's view of the audit trail's stripes: which one each writer holds, and where each stripe's head was
/// when this instance last moved or read it. A writer leases a stripe that no other writer of this instance holds,
/// so that the instance's own writers never meet; the warmest stripe (returned last) goes first, so that a few
/// stripes carry an instance's load and their heads stay known. Another instance may move a stripe meanwhile: the
/// append then fails its head check, the stripe goes to the back and its head is read again before its next use.
/// Each instance shuffles its stripes at start, so that two instances mostly hold different ones.
/// </summary>
internal sealed class PostgreSqlAuditStripes : IDisposable
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Lease> _free = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile bool _loaded;

    /// <summary>Takes a stripe that no other writer of this instance holds, waiting for one when every stripe is held.</summary>
    public async ValueTask<Lease> TakeAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            await LoadAsync(dataSource, cancellationToken).ConfigureAwait(false);
        }

        await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var lease = _free.First!.Value;
            _free.RemoveFirst();
            return lease;
        }
    }

    /// <summary>Gives a stripe back: to the front when its head is known, else to the back.</summary>
    public void Return(Lease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            if (lease.Link is null)
            {
                _free.AddLast(lease);
            }
            else
            {
                _free.AddFirst(lease);
            }
        }

        _available.Release();
    }

    public void Dispose()
    {
        _available.Dispose();
        _loading.Dispose();
    }

    private async Task LoadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_loaded)
            {
                return;
            }

            var stripes = new List<int>();
            await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            await using (var select = PostgreSqlVaultStorage.Command(connection, null, "SELECT id FROM audit_chain ORDER BY id;"))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    stripes.Add(reader.GetInt32(0));
                }
            }

            var order = stripes.ToArray();
            Random.Shared.Shuffle(order);
            lock (_gate)
            {
                foreach (var stripe in order)
                {
                    _free.AddLast(new Lease(stripe));
                }
            }

            _loaded = true;
            _available.Release(order.Length);
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>A stripe held by one writer, with its head as this instance last knew it (<see cref="Link"/> is null when unknown).</summary>
    internal sealed class Lease(int stripe)
    {
        public int Stripe { get; } = stripe;

        public long Sequence { get; private set; }

        public byte[]? Link { get; private set; }

        /// <summary>The head after a committed append, or as read.</summary>
        public void Moved(long sequence, byte[] link) => (Sequence, Link) = (sequence, link);

        /// <summary>Whether an append committed is not known, or another instance moved the head: read it before the next use.</summary>
        public void Forget() => (Sequence, Link) = (0, null);
    }
}
