using Databunker.Core.Administration;
using Databunker.Core.Expiration;
using Databunker.Core.Profiles;
using Databunker.Core.Tokenization;

namespace Databunker.Core;

/// <summary>Registers Databunker.Core in a service collection.</summary>
public static class DatabunkerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the vault (<see cref="IPersonalDataVault"/>, <see cref="IExpirationManager"/>, <see cref="ITokenizer"/>, <see cref="IVaultImporter"/>,
    /// <see cref="IVaultAdministration"/>). Choose the storage and the key provider on the returned builder:
    /// <code>services.AddDatabunker().UseSqlite("Data Source=vault.db").UseMasterKeyFromEnvironment("DATABUNKER_MASTERKEY");</code>
    /// A <see cref="TimeProvider"/> and an <see cref="ILoggerFactory"/> already in the container are used;
    /// otherwise the system clock and no logging. Options are validated when the vault is first resolved.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets <see cref="DatabunkerOptions"/>; optional.</param>
    /// <returns>A builder to choose storage and keys.</returns>
    public static IDatabunkerBuilder AddDatabunker(this IServiceCollection services, Action<DatabunkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        // Validated by the generated validator when first read, and at start in a host (ValidateOnStart).
        var options = services.AddOptionsWithValidateOnStart<DatabunkerOptions, DatabunkerOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        KernelServices.Add(services);
        VaultAdministration.Register(services);
        PersonalDataVault.Register(services);
        Tokenizer.Register(services);
        ExpirationManager.Register(services);
        AppData.AppDataManager.Register(services);
        Sessions.SessionManager.Register(services);
        Shares.ShareLinkManager.Register(services);
        Export.PersonExporter.Register(services);
        Privacy.PrivacyCatalog.Register(services);
        Consent.ConsentLedger.Register(services);
        Requests.PrivacyRequestManager.Register(services);
        PurposeBoundReads.Register(services);
        VaultImporter.Register(services);
        return new DatabunkerBuilder(services);
    }

    private sealed class DatabunkerBuilder(IServiceCollection services) : IDatabunkerBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
