namespace Databunker.Core.Kernel;

/// <summary>
/// A module's part of the due-work backlog (<see cref="IVaultAdministration.GetBacklogByModuleAsync"/>): when its oldest
/// due item fell due, in Unix milliseconds, or <see langword="null"/> when none is due. The expiration module's is also
/// <see cref="IVaultAdministration.GetDueWorkBacklogAsync"/>.
/// </summary>
internal interface IBacklogSource
{
    /// <summary>The module's name, as the due-work pass reports it (<c>expiration</c>, <c>tokens</c>, ...).</summary>
    string Module { get; }

    Task<long?> GetEarliestDueAsync(CancellationToken cancellationToken);
}

/// <summary>A module's backlog read from its storage role, so that the administration holds no module's implementation.</summary>
/// <typeparam name="TStore">The module's storage role.</typeparam>
internal sealed class BacklogSource<TStore>(string module, TStore store, Func<TStore, CancellationToken, Task<long?>> earliest) : IBacklogSource
    where TStore : class
{
    public string Module => module;

    public Task<long?> GetEarliestDueAsync(CancellationToken cancellationToken) => earliest(store, cancellationToken);

    /// <summary>Registers the backlog of the module whose storage role is <typeparamref name="TStore"/>, once.</summary>
    public static void Add(IServiceCollection services, string module, Func<TStore, CancellationToken, Task<long?>> earliest) =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBacklogSource, BacklogSource<TStore>>(
            sp => new BacklogSource<TStore>(module, sp.GetRequiredService<TStore>(), earliest)));
}
