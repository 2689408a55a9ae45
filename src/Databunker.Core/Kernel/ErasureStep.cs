namespace Databunker.Core.Kernel;

/// <summary>
/// A module's forget step made from its storage role: <typeparamref name="TRole"/>'s own enlisting method. A module
/// registers one with <see cref="Add"/>; the step holds the role only, never the module's implementation, so the
/// eraser and the module do not depend on each other.
/// </summary>
/// <typeparam name="TRole">The module's storage role.</typeparam>
internal sealed class ErasureStep<TRole>(TRole role, Func<TRole, IErasureTransaction, Guid, CancellationToken, Task> enlist) : IErasureStep
    where TRole : class, IStorageRole
{
    public Type Role => typeof(TRole);

    public Task EnlistAsync(IErasureTransaction erasure, Guid person, CancellationToken cancellationToken) =>
        enlist(role, erasure, person, cancellationToken);

    /// <summary>Registers the step of the module whose role is <typeparamref name="TRole"/>, once.</summary>
    public static void Add(IServiceCollection services, Func<TRole, IErasureTransaction, Guid, CancellationToken, Task> enlist) =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IErasureStep, ErasureStep<TRole>>(
            sp => new ErasureStep<TRole>(sp.GetRequiredService<TRole>(), enlist)));
}
