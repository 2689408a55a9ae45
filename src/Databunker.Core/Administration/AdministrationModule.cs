using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Databunker.Core.Administration;

/// <summary>Registers the operators' entry point: initialisation, key rotation and renewal, audit upkeep.</summary>
internal static class AdministrationModule
{
    public static void Add(IServiceCollection services) =>
        services.TryAddSingleton<IVaultAdministration, VaultAdministration>();
}
