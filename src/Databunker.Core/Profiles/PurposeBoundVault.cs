namespace Databunker.Core;

/// <summary>
/// The vault as one purpose of the privacy catalogue sees it (<see cref="PurposeBoundVaultExtensions.ForPurpose(IPersonalDataVault, string)"/>):
/// every read returns only what the purpose's activity declares, in its declared views, and is audited with the
/// purpose. Cheap to make; make one where the purpose is known: <c>var delivery = vault.ForPurpose("delivery");</c>.
/// </summary>
public sealed class PurposeBoundVault
{
    private readonly IPersonalDataVault _vault;

    internal PurposeBoundVault(IPersonalDataVault vault, string purpose)
    {
        _vault = vault;
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

    /// <summary>Names the purpose.</summary>
    public override string ToString() => $"PurposeBoundVault {{ Purpose = {Purpose} }}";
}

/// <summary>Reads for a purpose.</summary>
public static class PurposeBoundVaultExtensions
{
    /// <summary>The vault as <paramref name="purpose"/> sees it: see <see cref="PurposeBoundVault"/>.</summary>
    /// <param name="vault">The vault.</param>
    /// <param name="purpose">The name of an activity of the privacy catalogue, or <see cref="Privacy.Purposes.DataProtection"/>; checked on each read.</param>
    /// <returns>The purpose-bound view.</returns>
    public static PurposeBoundVault ForPurpose(this IPersonalDataVault vault, string purpose)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(purpose);
        return new PurposeBoundVault(vault, purpose);
    }
}
