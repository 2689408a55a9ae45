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
    Privacy.IPurposeViews purposes,
    IOptions<DatabunkerOptions> options,
    IEnumerable<IRegistrationStep> registrationSteps,
    PurposeBoundReads purposeReads,
    ILogger<PersonalDataVault>? logger = null) : IPersonalDataVault
{
    /// <summary>The vault as a purpose sees it, over profiles, app data and tokens (<see cref="PurposeBoundReads"/>).</summary>
    public PurposeBoundVault ForPurpose(string purpose) => purposeReads.For(purpose);

    private readonly IRegistrationStep[] _registrationSteps = [.. registrationSteps];

    private const int MaxUpdateAttempts = 64;

    private readonly IPersonStore _storage = directory.Store;
    private readonly DatabunkerOptions _options = options.Value;
    private readonly ILogger<PersonalDataVault> _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<PersonalDataVault>.Instance;

    private Task<T> GuardCryptoAsync<T>(string operation, Func<Task<T>> work) => CryptoGuard.RunAsync(_logger, operation, work);

    private static void Zero(byte[] key) => CryptographicOperations.ZeroMemory(key);

    /// <summary>Registers the profiles module.</summary>
    public static void Register(IServiceCollection services)
    {
        Diagnostics.Instrumented.AddPersonalDataVault<PersonalDataVault>(services);

        // Its part of data-subject requests: a rectification applies the verified change, an erasure forgets.
        RightStep<IPersonalDataVault>.Add(services, Rights.Rectification, static async (vault, request, cancellationToken) =>
        {
            if (request.Change is not { } patch)
            {
                // The change was sealed under the person's key, which a forget since removed.
                return new RightStepResult(RightStepState.Cancelled, "person-forgotten");
            }

            try
            {
                await vault.UpdatePersonAsync(PersonLookup.ByToken(request.Person), patch, cancellationToken).ConfigureAwait(false);
                return RightStepResult.Done();
            }
            catch (Exception ex) when (ex is VaultInputException or DuplicateIndexException)
            {
                return new RightStepResult(RightStepState.Failed, "change-refused", ex.GetType().Name);
            }
        });
        // Its part of the due-work pass: fields that no purpose needs any longer.
        DueWork<IPersonalDataVault>.Add(services, "fields", static (vault, cancellationToken) => vault.DeleteExpiredFieldsAsync(cancellationToken));

        RightStep<IPersonalDataVault>.Add(services, Rights.Erasure, static async (vault, request, cancellationToken) =>
        {
            await vault.ForgetPersonAsync(PersonLookup.ByToken(request.Person), cancellationToken).ConfigureAwait(false);
            return RightStepResult.Done();
        });
    }
}
