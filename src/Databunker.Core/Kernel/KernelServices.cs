namespace Databunker.Core.Kernel;

/// <summary>Registers the kernel: opener, key ring, person directory, eraser and audit trail.</summary>
internal static class KernelServices
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        StorageRoles.AddUnconfigured(services);
        services.TryAddSingleton<Keys.IKeyProvider>(_ => throw new VaultConfigurationException(
            "No key provider is configured for Databunker: call UseMasterKey(...) or UseKeyProvider<T>() on the builder that AddDatabunker() returns."));
        services.TryAddSingleton<AuditChain>();
        services.TryAddSingleton<IAuditChain>(sp => sp.GetRequiredService<AuditChain>());
        services.TryAddSingleton<VaultKeyRing>();
        services.TryAddSingleton<VaultOpener>();
        services.TryAddSingleton<ReadAuditWriter>();
        services.TryAddSingleton<AuditTrail>();
        services.TryAddSingleton<PersonDirectory>();
        services.TryAddSingleton<PersonEraser>();
    }
}
