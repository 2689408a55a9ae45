namespace Databunker.Core.Profiles;

/// <summary>
/// The profiles module: creates, reads, patches and forgets persons' profiles. It finds persons through the
/// kernel's <see cref="PersonDirectory"/>, audits through <see cref="AuditTrail"/> and forgets through
/// <see cref="PersonEraser"/>, which every other module adds its part to.
/// </summary>
internal sealed partial class PersonalDataVault(
    VaultOpener opener,
    Kernel.Crypto.VaultKeyRing keys,
    PersonDirectory directory,
    PersonEraser eraser,
    AuditTrail audit,
    IOptions<DatabunkerOptions> options,
    IEnumerable<IRegistrationStep> registrationSteps,
    ILogger<PersonalDataVault>? logger = null) : IPersonalDataVault
{
    private readonly IRegistrationStep[] _registrationSteps = [.. registrationSteps];

    private const int MaxUpdateAttempts = 64;

    private readonly IPersonStore _storage = directory.Store;
    private readonly DatabunkerOptions _options = options.Value;
    private readonly ILogger<PersonalDataVault> _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<PersonalDataVault>.Instance;

    private Task<T> GuardCryptoAsync<T>(string operation, Func<Task<T>> work) => CryptoGuard.RunAsync(_logger, operation, work);

    private static void Zero(byte[] key) => CryptographicOperations.ZeroMemory(key);

    /// <summary>Registers the profiles module.</summary>
    public static void Register(IServiceCollection services) => Diagnostics.Instrumented.AddPersonalDataVault<PersonalDataVault>(services);
}
