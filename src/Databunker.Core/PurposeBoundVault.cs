using Databunker.Core.AppData;
using Databunker.Core.Tokenization;

namespace Databunker.Core;

/// <summary>
/// The vault as one purpose of the privacy catalogue sees it (<see cref="IPersonalDataVault.ForPurpose"/>): every read
/// (a profile, an application's data, a token's value) returns only what the purpose's activity declares, in its
/// declared views, is refused when the purpose rests on consent that is not given, and is audited with the purpose.
/// Cheap to make; make one where the purpose is known: <c>var delivery = vault.ForPurpose("delivery");</c>. The export
/// (GDPR Art. 15) is the person's own and is not read through a purpose.
/// </summary>
public sealed class PurposeBoundVault
{
    private readonly IPersonalDataVault _vault;
    private readonly IAppDataManager _appData;
    private readonly ITokenizer _tokens;

    internal PurposeBoundVault(IPersonalDataVault vault, IAppDataManager appData, ITokenizer tokens, string purpose)
    {
        _vault = vault;
        _appData = appData;
        _tokens = tokens;
        Purpose = purpose;
    }

    /// <summary>The purpose every read names.</summary>
    public string Purpose { get; }

    /// <summary>Finds a person and returns what the purpose may see of their profile (<see cref="IPersonalDataVault.GetPersonForPurposeAsync"/>).</summary>
    /// <param name="lookup">How to find the person.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The person as the purpose sees them, or <see langword="null"/> when none matches.</returns>
    /// <exception cref="PurposeNotAllowedException">The purpose is not in the catalogue, or the consent it rests on is not given.</exception>
    public Task<PersonRecord?> GetPersonAsync(PersonLookup lookup, CancellationToken cancellationToken = default) =>
        _vault.GetPersonForPurposeAsync(lookup, Purpose, cancellationToken);

    /// <summary>Reads a person's document for an application the purpose declares (<see cref="IAppDataManager.GetForPurposeAsync"/>).</summary>
    /// <param name="person">The person's token.</param>
    /// <param name="app">A registered application name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The document, or <see langword="null"/>.</returns>
    /// <exception cref="PurposeNotAllowedException">The purpose is not in the catalogue, does not declare the application, or its consent is not given.</exception>
    public Task<AppDocument?> GetAppDataAsync(Guid person, string app, CancellationToken cancellationToken = default) =>
        _appData.GetForPurposeAsync(person, app, Purpose, cancellationToken);

    /// <summary>Gives back the value of a token of a scope the purpose declares (<see cref="ITokenizer.DetokenizeForPurposeAsync"/>).</summary>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The value, or <see langword="null"/> when the token is unknown, expired or deleted.</returns>
    /// <exception cref="PurposeNotAllowedException">The purpose is not in the catalogue or does not declare the token's scope, or its consent is not given.</exception>
    public Task<string?> DetokenizeAsync(string token, CancellationToken cancellationToken = default) =>
        _tokens.DetokenizeForPurposeAsync(token, Purpose, cancellationToken);

    /// <summary>Gives back many tokens' values, all or none (<see cref="ITokenizer.DetokenizeManyForPurposeAsync"/>).</summary>
    /// <param name="tokens">The tokens.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The values in the order of <paramref name="tokens"/>, <see langword="null"/> where not found.</returns>
    /// <exception cref="PurposeNotAllowedException">The purpose may not read one of the tokens.</exception>
    public Task<IReadOnlyList<string?>> DetokenizeManyAsync(IEnumerable<string> tokens, CancellationToken cancellationToken = default) =>
        _tokens.DetokenizeManyForPurposeAsync(tokens, Purpose, cancellationToken);

    /// <summary>Names the purpose.</summary>
    public override string ToString() => $"PurposeBoundVault {{ Purpose = {Purpose} }}";
}

/// <summary>
/// Makes purpose-bound views over the registered read services (instrumented, so that their reads are measured like any
/// other). It lives at the root, where the modules are composed: the profiles module hands out the views without
/// depending on the app-data and tokens modules. The vault is resolved on the first view, as it is the one asking.
/// </summary>
internal sealed class PurposeBoundReads(Func<IPersonalDataVault> vault, IAppDataManager appData, ITokenizer tokens)
{
    private IPersonalDataVault? _vault;

    /// <summary>The view for <paramref name="purpose"/>; the purpose is checked on each read.</summary>
    public PurposeBoundVault For(string purpose)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        return new PurposeBoundVault(_vault ??= vault(), appData, tokens, purpose);
    }

    /// <summary>Registers the views' maker.</summary>
    public static void Register(IServiceCollection services) =>
        services.TryAddSingleton(sp => new PurposeBoundReads(
            sp.GetRequiredService<IPersonalDataVault>,
            sp.GetRequiredService<IAppDataManager>(),
            sp.GetRequiredService<ITokenizer>()));
}
