namespace Databunker.Core.Kernel;

/// <summary>Registers the kernel: opener, key ring, person directory, eraser and audit trail.</summary>
internal static class KernelServices
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new Diagnostics.DatabunkerTelemetry(
            sp.GetRequiredService<TimeProvider>(), sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        StorageRoles.AddUnconfigured(services);
        services.TryAddSingleton<Keys.IKeyProvider>(_ => throw new VaultConfigurationException(
            "No key provider is configured for Databunker: call UseMasterKey(...) or UseKeyProvider<T>() on the builder that AddDatabunker() returns."));
        services.TryAddSingleton<AuditChain>();
        services.TryAddSingleton<IAuditChain>(sp => sp.GetRequiredService<AuditChain>());
        services.TryAddSingleton<VaultKeyRing>();
        services.TryAddSingleton<VaultOpener>();
        services.TryAddSingleton(sp =>
        {
            // Every storage role first. The container disposes singletons in the reverse order it made them; the
            // storage is made with the first role resolved (the roles are the storage boundary's wrappers over it), so
            // it must exist before this writer, which commits what waits into it when it is disposed.
            foreach (var role in StorageRoles.All)
            {
                try
                {
                    _ = sp.GetService(role);
                }
                catch (VaultConfigurationException)
                {
                    // A role the storage lacks, or no storage yet: the writer needs only the audit role.
                }
            }

            return ActivatorUtilities.CreateInstance<ReadAuditWriter>(sp);
        });
        services.TryAddSingleton<AuditTrail>();
        services.TryAddSingleton<PersonDirectory>();
        services.TryAddSingleton<PersonEraser>();
    }
}
