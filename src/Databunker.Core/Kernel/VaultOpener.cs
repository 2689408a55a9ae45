namespace Databunker.Core.Kernel;

/// <summary>
/// The one place the vault is opened: it checks the runtime, migrates the storage and loads the system keys,
/// once, whether <see cref="IVaultAdministration.InitializeAsync"/>, a hosted initializer or the first call of
/// any module asks first. Every operation enters through <see cref="EnterAsync"/>.
/// </summary>
internal sealed class VaultOpener(IVaultStore store, VaultKeyRing keys, IKeyProvider provider, ILogger<VaultOpener>? logger = null) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>Opens the vault unless it is open.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        keys.ThrowIfDisposed();
        if (keys.IsLoaded)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!keys.IsLoaded)
            {
                IndexNormalizer.EnsureSupported();
                await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
                await keys.LoadAsync(cancellationToken).ConfigureAwait(false);
                var schemaVersion = await store.GetSchemaVersionAsync(cancellationToken).ConfigureAwait(false);
                Log.VaultOpened(_logger, schemaVersion, provider.CurrentKeyVersion);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Begins one operation: opens the vault if needed and holds the system keys until the returned lease is
    /// disposed (a dispose of the container waits for it before it zeroes them).
    /// </summary>
    public async ValueTask<KeyLease> EnterAsync(CancellationToken cancellationToken)
    {
        if (!keys.IsLoaded)
        {
            await OpenAsync(cancellationToken).ConfigureAwait(false);
        }

        return keys.Lease();
    }

    public void Dispose() => _gate.Dispose();
}
