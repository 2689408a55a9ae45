using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Databunker.Core.Hosting;

/// <summary>
/// Opens the vault while the host starts, in <see cref="IHostedLifecycleService.StartingAsync"/>, before any hosted
/// service's start and before the web server listens: a vault that cannot open fails the start, with its message. Then it
/// publishes the configured privacy catalogue (a changed notice text becomes its next version), so that consents can be
/// recorded from the first request; a failure to publish fails the start the same way.
/// </summary>
internal sealed class VaultInitializer(IVaultAdministration administration, Privacy.IPrivacyCatalog catalog, ILogger<VaultInitializer>? logger = null) : IHostedLifecycleService
{
    private readonly ILogger _logger = logger ?? NullLogger<VaultInitializer>.Instance;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await administration.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await catalog.PublishAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DatabunkerException ex)
        {
            Log.VaultDidNotOpen(_logger, ex.Message, ex);
            throw;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
