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
