namespace Databunker.Core.Storage;

/// <summary>Every storage role this package defines, found once: a new module's role needs no list edited.</summary>
internal static class StorageRoles
{
    public static IReadOnlyList<Type> All { get; } = typeof(IStorageRole).Assembly.GetExportedTypes()
        .Where(t => t.IsInterface && t != typeof(IStorageRole) && typeof(IStorageRole).IsAssignableFrom(t))
        .ToArray();

    /// <summary>Registers, for every role not yet registered, a service that says no storage is configured.</summary>
    public static void AddUnconfigured(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
        foreach (var role in All)
        {
            Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAdd(services,
                Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton(role, _ => throw new VaultConfigurationException(
                    "No storage is configured for Databunker: call UseSqlite(\"Data Source=vault.db\") on the builder that AddDatabunker() returns.")));
        }
    }
}
