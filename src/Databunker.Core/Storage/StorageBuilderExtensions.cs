using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core;

/// <summary>Builder verbs that plug a storage into the vault: a type, an instance or a factory.</summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public static class StorageBuilderExtensions
{
    /// <summary>
    /// Uses <typeparamref name="TStorage"/>, created once by the container, for every storage role it implements
    /// (<see cref="IVaultStore"/>, <see cref="IPersonStore"/> ...). A role it lacks fails with
    /// <see cref="VaultConfigurationException"/> when the feature that needs it is first resolved.
    /// </summary>
    /// <typeparam name="TStorage">The storage class.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IDatabunkerBuilder UseStorage<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.Interfaces | DynamicallyAccessedMemberTypes.PublicConstructors)] TStorage>(
        this IDatabunkerBuilder builder)
        where TStorage : class, IStorageRole
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<TStorage>();
        builder.Services.AddSingleton<TStorage>();
        return Register(builder, typeof(TStorage), sp => sp.GetRequiredService<TStorage>());
    }

    /// <summary>Uses <paramref name="storage"/> for every storage role it implements. The container does not dispose it.</summary>
    /// <typeparam name="TStorage">The storage class.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="storage">The storage.</param>
    /// <returns>The builder.</returns>
    public static IDatabunkerBuilder UseStorage<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.Interfaces)] TStorage>(
        this IDatabunkerBuilder builder, TStorage storage)
        where TStorage : class, IStorageRole
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(storage);
        return Register(builder, typeof(TStorage), _ => storage);
    }

    /// <summary>
    /// Uses the storage <paramref name="factory"/> makes, once, for every storage role <typeparamref name="TStorage"/>
    /// implements. The container disposes it with itself.
    /// </summary>
    /// <typeparam name="TStorage">The storage class.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Makes the storage from the container.</param>
    /// <returns>The builder.</returns>
    public static IDatabunkerBuilder UseStorage<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.Interfaces)] TStorage>(
        this IDatabunkerBuilder builder, Func<IServiceProvider, TStorage> factory)
        where TStorage : class, IStorageRole
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.RemoveAll<TStorage>();
        builder.Services.AddSingleton(factory);
        return Register(builder, typeof(TStorage), sp => sp.GetRequiredService<TStorage>());
    }

    private static IDatabunkerBuilder Register(
        IDatabunkerBuilder builder, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.Interfaces)] Type storage, Func<IServiceProvider, object> resolve)
    {
        var implemented = storage.GetInterfaces();
        foreach (var role in StorageRoles.All)
        {
            builder.Services.Replace(implemented.Contains(role)
                ? ServiceDescriptor.Singleton(role, sp => StorageBoundary.Wrap(role, resolve(sp)))
                : ServiceDescriptor.Singleton(role, _ => throw new VaultConfigurationException(
                    $"The configured storage {storage.Name} does not implement the storage role {role.Name} that this feature needs.")));
        }

        return builder;
    }
}
