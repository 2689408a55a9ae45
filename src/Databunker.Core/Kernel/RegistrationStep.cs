namespace Databunker.Core.Kernel;

/// <summary>
/// A module's part of registering persons: what it does once new persons are stored (the consent ledger attaches
/// decisions recorded for their email or phone beforehand). It runs after the persons' transaction committed; a step
/// that fails is logged, and the module's due-work pass finishes its work.
/// </summary>
internal interface IRegistrationStep
{
    /// <summary>The module's name, for the log.</summary>
    string Module { get; }

    /// <summary>Does the module's part for the persons just stored.</summary>
    Task RunAsync(IReadOnlyList<Guid> persons, CancellationToken cancellationToken);
}

/// <summary>A module's registration step made from its public service, so that the vault holds no module's implementation.</summary>
/// <typeparam name="TService">The module's service.</typeparam>
internal sealed class RegistrationStep<TService>(string module, TService service, Func<TService, IReadOnlyList<Guid>, CancellationToken, Task> run) : IRegistrationStep
    where TService : class
{
    public string Module => module;

    public Task RunAsync(IReadOnlyList<Guid> persons, CancellationToken cancellationToken) => run(service, persons, cancellationToken);

    /// <summary>Registers the registration step of the module whose service is <typeparamref name="TService"/>, once.</summary>
    public static void Add(IServiceCollection services, string module, Func<TService, IReadOnlyList<Guid>, CancellationToken, Task> run) =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRegistrationStep, RegistrationStep<TService>>(
            sp => new RegistrationStep<TService>(module, sp.GetRequiredService<TService>(), run)));
}
