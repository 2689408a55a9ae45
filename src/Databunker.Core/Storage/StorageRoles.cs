namespace Databunker.Core;

/// <summary>
/// Every storage role this package defines. Listed, not found by reflection over the assembly, so that trimming
/// keeps them; a test compares the list with the roles reflection finds, so a new module's role cannot be left out.
/// </summary>
internal static class StorageRoles
{
    public static IReadOnlyList<Type> All { get; } =
    [
        typeof(IVaultStore),
        typeof(ISystemKeyStore),
        typeof(IDataKeyStore),
        typeof(IAuditStore),
        typeof(IPersonStore),
        typeof(ITokenStore),
        typeof(IExpirationStore),
        typeof(IAppDocumentStore),
        typeof(ISessionStore),
        typeof(IShareLinkStore),
        typeof(IPrivacyCatalogStore),
        typeof(IConsentStore),
        typeof(IPrivacyRequestStore),
    ];

    /// <summary>
    /// The key of a keyed <see cref="string"/> service that says, in place of the general message, why no storage is
    /// configured: the hosting package registers one when configuration names a provider that no package set up.
    /// </summary>
    public const string UnconfiguredMessageKey = "Databunker.UnconfiguredStorage";

    /// <summary>Registers, for every role not yet registered, a service that says no storage is configured.</summary>
    public static void AddUnconfigured(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
        foreach (var role in All)
        {
            Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAdd(services,
                Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton(role, sp => throw new VaultConfigurationException(
                    Microsoft.Extensions.DependencyInjection.ServiceProviderKeyedServiceExtensions.GetKeyedService<string>(sp, UnconfiguredMessageKey)
                    ?? "No storage is configured for Databunker: call UseSqlite(\"Data Source=vault.db\") on the builder that AddDatabunker() returns.")));
        }
    }
}
