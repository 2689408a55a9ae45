using System.Security.Cryptography;
using Databunker.Core.Kernel;
using Databunker.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Databunker.Core.Profiles;

/// <summary>
/// The profiles module: creates, reads, patches and forgets persons' profiles. It finds persons through the
/// kernel's <see cref="PersonDirectory"/>, audits through <see cref="AuditTrail"/> and forgets through
/// <see cref="PersonEraser"/>, which every other module adds its part to.
/// </summary>
internal sealed partial class PersonalDataVault : IPersonalDataVault
{
    private const int MaxUpdateAttempts = 64;

    private readonly IPersonStore _storage;
    private readonly VaultOpener _opener;
    private readonly PersonDirectory _persons;
    private readonly PersonEraser _eraser;
    private readonly AuditTrail _audit;
    private readonly Kernel.Crypto.VaultKeyRing _keys;
    private readonly DatabunkerOptions _options;
    private readonly ILogger<PersonalDataVault> _logger;

    public PersonalDataVault(
        VaultOpener opener, Kernel.Crypto.VaultKeyRing keys, PersonDirectory persons, PersonEraser eraser, AuditTrail audit,
        IOptions<DatabunkerOptions> options, ILogger<PersonalDataVault>? logger = null)
    {
        _storage = persons.Store;
        _opener = opener;
        _keys = keys;
        _persons = persons;
        _eraser = eraser;
        _audit = audit;
        _options = options.Value;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<PersonalDataVault>.Instance;
    }

    private async Task<T> GuardCryptoAsync<T>(string operation, Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (VaultCryptoException ex)
        {
            Log.CryptoFailure(_logger, operation, ex);
            throw;
        }
    }

    private static void Zero(byte[] key) => CryptographicOperations.ZeroMemory(key);
}
