namespace Databunker.Core.Kernel;

/// <summary>
/// A module's part of the due-work pass (<see cref="IVaultAdministration.RunDueWorkAsync"/>): the work that time
/// made due in that module. Every module with such work registers one, through <see cref="DueWork{TService}.Add"/>.
/// </summary>
internal interface IDueWork
{
    /// <summary>The module's name in the pass's result.</summary>
    string Module { get; }

    /// <summary>Does what is due now; returns how many items it handled.</summary>
    Task<int> RunAsync(CancellationToken cancellationToken);
}

/// <summary>A module's due work made from its public service, so that the pass holds no module's implementation.</summary>
/// <typeparam name="TService">The module's service.</typeparam>
internal sealed class DueWork<TService>(string module, TService service, Func<TService, CancellationToken, Task<int>> run) : IDueWork
    where TService : class
{
    public string Module => module;

    public Task<int> RunAsync(CancellationToken cancellationToken) => run(service, cancellationToken);

    /// <summary>Registers the due work of the module whose service is <typeparamref name="TService"/>, once.</summary>
    public static void Add(IServiceCollection services, string module, Func<TService, CancellationToken, Task<int>> run) =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDueWork, DueWork<TService>>(
            sp => new DueWork<TService>(module, sp.GetRequiredService<TService>(), run)));
}

/// <summary>The shape of every sweep in the due-work pass: batches until one comes back short.</summary>
internal static class Batches
{
    /// <summary>Runs <paramref name="batch"/> until it removes fewer than <paramref name="batchSize"/>; returns the total. Stops between batches when cancelled.</summary>
    public static async Task<int> DrainAsync(int batchSize, Func<CancellationToken, Task<int>> batch, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var removed = await batch(cancellationToken).ConfigureAwait(false);
            total += removed;
            if (removed < batchSize)
            {
                return total;
            }
        }
    }
}
