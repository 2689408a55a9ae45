using System.Buffers.Text;
using System.Text;

namespace Databunker.Core.Tokenization;

/// <summary>
/// Tokens over the vault's storage, sealed with the tokenization system key. A token is stored only as a
/// keyed hash; its value is sealed with associated data that names that hash, so a value moved to another
/// token's row fails to open.
/// </summary>
internal sealed partial class Tokenizer(
    ITokenStore store,
    VaultKeyRing keyRing,
    VaultOpener opener,
    PersonDirectory persons,
    AuditTrail auditTrail,
    Privacy.IPurposeViews purposes,
    IOptions<DatabunkerOptions> options,
    TimeProvider time) : ITokenizer, IKeyRenewal
{
    /// <summary>Envelopes of tokens made before values were bound to owner and expiry: the tokenization key, the token hash as associated data.</summary>
    internal const uint LegacyKeyId = 1;

    /// <summary>An owned token's envelopes: the owner's data key; token hash, owner and expiry as associated data.</summary>
    internal const uint OwnerKeyId = 2;

    /// <summary>An unowned token's envelopes made before the sealing key had its own versions: the tokenization key; token hash and expiry as associated data.</summary>
    internal const uint SystemKeyId = 3;

    /// <summary>
    /// An unowned token's envelopes: the token sealing key of version <c>key id - 16</c>; token hash and expiry
    /// as associated data. The tokenization key itself serves HMAC only.
    /// </summary>
    internal const uint SealKeyIdBase = 16;
    private const string TokenHashName = "token";
    private const string DeterministicName = "token-deterministic";
    private static readonly TokenizeOptions Defaults = new();

    private const int MaxTokenAttempts = 64;

    private readonly TokenizationOptions _options = options.Value.Tokenization;

    /// <summary>Whether each read's event commits before the read returns (<see cref="DatabunkerOptions.ReadAuditWindow"/> 0).</summary>
    private readonly bool _auditEachRead = options.Value.ReadAuditWindow == 0;
    private readonly int _maxBatchItems = options.Value.MaxBatchItems;

    public async Task<string> TokenizeAsync(string value, TokenizeOptions? options = null, CancellationToken cancellationToken = default) =>
        (await TokenizeAsync([value], options, nameof(value), cancellationToken).ConfigureAwait(false))[0];

    public async Task<IReadOnlyList<string>> TokenizeManyAsync(IEnumerable<string> values, TokenizeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        return await TokenizeAsync(Kernel.BatchLimit.Take(values, _maxBatchItems, nameof(values)), options, nameof(values), cancellationToken).ConfigureAwait(false);
    }

    private async Task<string[]> TokenizeAsync(List<string> values, TokenizeOptions? options, string paramName, CancellationToken cancellationToken)
    {
        options ??= Defaults;
        var now = time.GetUtcNow();
        var expiresAt = Check(options, now);
        foreach (var value in values)
        {
            CheckValue(value, options, paramName);
        }

        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var key = lease.Keys.Tokenization;
        var ownerKey = options.Person is { } owner ? await OpenOwnerKeyAsync(owner, cancellationToken).ConfigureAwait(false) : null;
        var (sealKey, sealKeyId) = ownerKey is null ? (lease.Keys.TokenSeal, SealKeyIdBase + (uint)lease.Keys.TokenSealVersion) : (ownerKey, OwnerKeyId);
        try
        {
            var tokens = new string[values.Count];
            var deterministic = new byte[]?[values.Count];
            var rows = new NewToken[values.Count];
            var audit = new AuditRecord[values.Count];
            NewToken Make(int i)
            {
                tokens[i] = NewToken(values[i], options);
                var tokenHash = BlindIndex.Compute(key, TokenHashName, tokens[i]);
                var valueContext = AssociatedData.ForToken(AssociatedData.TokenValue, tokenHash, options.Person, expiresAt, options.Scope);
                var sealedValue = Envelope.Seal(sealKey, sealKeyId, Encoding.UTF8.GetBytes(values[i]), valueContext);
                var sealedToken = deterministic[i] is { } d
                    ? Envelope.Seal(sealKey, sealKeyId, Encoding.UTF8.GetBytes(tokens[i]), AssociatedData.For(AssociatedData.SealedToken, d))
                    : null;
                return new NewToken(tokenHash, sealedValue, deterministic[i], sealedToken, options.Person, expiresAt, now.ToUnixTimeMilliseconds(), options.Scope);
            }

            for (var i = 0; i < values.Count; i++)
            {
                if (options.Kind == TokenKind.Deterministic)
                {
                    // A Luhn-invalid card token is another token family; the field is added only then, so that
                    // the deterministic tokens made before the option existed keep their hashes.
                    string[] fields = [options.Scope, options.Format.ToString(), options.KeepLastFour ? "1" : "0", options.Person?.ToString("N") ?? string.Empty, values[i]];
                    deterministic[i] = BlindIndex.ComputeFields(key, DeterministicName, options.LuhnInvalid ? [.. fields, "luhn-invalid"] : fields);
                }

                rows[i] = Make(i);
                audit[i] = auditTrail.NewEvent(AuditOperations.TokenTokenize, options.Person, AuditOutcomes.Success);
            }

            var outcomes = await AddAsync(rows, audit, Make, now.ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < outcomes.Length; i++)
            {
                if (outcomes[i].ExistingSealedToken is { } sealedToken)
                {
                    var tokenKey = await SealingKeyAsync(Envelope.ReadKeyId(sealedToken), key, ownerKey, cancellationToken).ConfigureAwait(false)
                        ?? throw new VaultCryptoException("A stored deterministic token failed authentication: it was altered, moved, or its key is wrong.");
                    tokens[i] = Encoding.UTF8.GetString(Envelope.Open(tokenKey, sealedToken, AssociatedData.For(AssociatedData.SealedToken, deterministic[i]!), "token"));
                }
            }

            return tokens;
        }
        finally
        {
            if (ownerKey is not null)
            {
                CryptographicOperations.ZeroMemory(ownerKey);
            }
        }
    }

    /// <summary>
    /// The key an envelope's key id names: the tokenization key for envelopes older than the sealing key,
    /// the owner's key, or a version of the sealing key; <see langword="null"/> for an owner's envelope without its key.
    /// </summary>
    internal async ValueTask<byte[]?> SealingKeyAsync(uint keyId, byte[] tokenization, byte[]? ownerKey, CancellationToken cancellationToken) => keyId switch
    {
        LegacyKeyId or SystemKeyId => tokenization,
        OwnerKeyId => ownerKey,
        > SealKeyIdBase and < SealKeyIdBase + int.MaxValue => await keyRing.GetSealKeyAsync((int)(keyId - SealKeyIdBase), cancellationToken).ConfigureAwait(false),
        _ => throw new VaultCryptoException("A stored token envelope names an unknown key: it was altered."),
    };

    /// <summary>The owner's data key, which an owned token's value is sealed under so that forgetting the owner shreds it.</summary>
    private async Task<byte[]> OpenOwnerKeyAsync(Guid owner, CancellationToken cancellationToken) =>
        await persons.OpenDataKeyAsync(owner, cancellationToken).ConfigureAwait(false) ?? throw new PersonNotFoundException();

    /// <summary>
    /// Stores the rows; a row whose token hash was taken (a collision, likely only for short formats) gets a new
    /// token from <paramref name="make"/> and is stored again, with its audit event, in a transaction of its own.
    /// </summary>
    private async Task<TokenAddOutcome[]> AddAsync(NewToken[] rows, AuditRecord[] audit, Func<int, NewToken> make, long now, CancellationToken cancellationToken)
    {
        var stored = await store.AddTokensAsync(rows, audit, now, cancellationToken).ConfigureAwait(false);
        var outcomes = stored as TokenAddOutcome[] ?? [.. stored];
        for (var attempt = 1; ; attempt++)
        {
            // The common case, no collision, allocates nothing more.
            if (Array.IndexOf(outcomes, TokenAddOutcome.HashTaken) < 0)
            {
                return outcomes;
            }

            var taken = Enumerable.Range(0, outcomes.Length).Where(i => outcomes[i] == TokenAddOutcome.HashTaken).ToList();

            if (attempt == MaxTokenAttempts)
            {
                throw new DatabunkerException("No free token could be found for a value after many attempts: the format leaves too few possibilities.");
            }

            var retried = await store.AddTokensAsync(taken.ConvertAll(i => make(i)), taken.ConvertAll(i => audit[i]), now, cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < taken.Count; j++)
            {
                outcomes[taken[j]] = retried[j];
            }
        }
    }

    private static string NewToken(string value, TokenizeOptions options)
    {
        if (options.Format == TokenFormat.Opaque)
        {
            Span<byte> bytes = stackalloc byte[18];
            RandomNumberGenerator.Fill(bytes);
            return Base64Url.EncodeToString(bytes);
        }

        return FormatPreservingTokens.Generate(value, options.Format, options.KeepLastFour, options.LuhnInvalid);
    }

    private static long? Check(TokenizeOptions options, DateTimeOffset now)
    {
        if (!Enum.IsDefined(options.Kind))
        {
            throw new VaultInputException("Unknown token kind: use Random or Deterministic.", nameof(options), nameof(options.Kind));
        }

        if (!Enum.IsDefined(options.Format))
        {
            throw new VaultInputException("Unknown token format: use Opaque, FormatPreserving or CardNumber.", nameof(options), nameof(options.Format));
        }

        if (options.KeepLastFour && options.Format == TokenFormat.Opaque)
        {
            throw new VaultInputException("KeepLastFour applies to format-preserving tokens only.", nameof(options), nameof(options.KeepLastFour));
        }

        if (options.LuhnInvalid && options.Format != TokenFormat.CardNumber)
        {
            throw new VaultInputException("LuhnInvalid applies to card-number tokens only.", nameof(options), nameof(options.LuhnInvalid));
        }

        if (string.IsNullOrEmpty(options.Scope) || options.Scope.Length > 200)
        {
            throw new VaultInputException("The scope must be 1 to 200 characters.", nameof(options), nameof(options.Scope));
        }

        if (options.Scope.AsSpan().IndexOfAnyInRange('\u0000', '\u001F') >= 0 || options.Scope.AsSpan().IndexOfAnyInRange('\u007F', '\u009F') >= 0
            || !Kernel.Utf16Text.IsValid(options.Scope))
        {
            throw new VaultInputException("The scope must not contain control characters or invalid Unicode text.", nameof(options), nameof(options.Scope));
        }

        return options.Expires?.Resolve(now, null, nameof(options)).ToUnixTimeMilliseconds();
    }

    private void CheckValue(string value, TokenizeOptions options, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Length == 0 || value.Length > _options.MaxValueLength)
        {
            throw new VaultInputException($"A value must be 1 to {_options.MaxValueLength} characters.", paramName);
        }

        if (!Kernel.Utf16Text.IsValid(value))
        {
            throw new VaultInputException("The value is not valid Unicode text.", paramName);
        }

        if (options.Format != TokenFormat.Opaque)
        {
            FormatPreservingTokens.Validate(value, options.Format, options.KeepLastFour, paramName);
        }
    }

    /// <summary>Registers the tokens module and its parts of the kernel's work: its forget step, its due work, its export section and the re-sealing of a key renewal.</summary>
    public static void Register(IServiceCollection services)
    {
        services.TryAddSingleton<Tokenizer>();
        Diagnostics.Instrumented.AddTokenizer<Tokenizer>(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IKeyRenewal, Tokenizer>(sp => sp.GetRequiredService<Tokenizer>()));

        // Its part of a forget: every token the person owns goes with them.
        ErasureStep<ITokenStore>.Add(services, static (tokens, erasure, person, cancellationToken) => tokens.EnlistErasureAsync(erasure, person, cancellationToken));

        // Its part of the export: the values of the tokens the person owns.
        ExportSection<Tokenizer>.Add<ITokenStore>(services, "tokens", static (tokenizer, writer, context, cancellationToken) => tokenizer.WriteExportAsync(writer, context, cancellationToken));

        // Its part of the due-work pass: removing expired tokens.
        DueWork<ITokenizer>.Add(services, "tokens", static (tokenizer, cancellationToken) => tokenizer.DeleteExpiredTokensAsync(cancellationToken));
        BacklogSource<ITokenStore>.Add(services, "tokens", static (store, cancellationToken) => store.GetEarliestTokenExpiryAsync(cancellationToken));
    }
}
