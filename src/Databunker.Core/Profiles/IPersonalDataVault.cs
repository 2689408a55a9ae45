using System.Text.Json;

namespace Databunker.Core;

/// <summary>
/// The vault of personal data: each person's profile (a JSON object) is stored encrypted under a key of
/// the person's own and found by token or by the keyed hash of an indexed field, never by decrypting.
/// The top-level <c>login</c>, <c>email</c>, <c>phone</c> and <c>custom</c> fields are the lookup
/// indexes; each is unique across the vault. Every call is audited.
/// </summary>
[Diagnostics.Instrumented("vault")]
public interface IPersonalDataVault
{
    /// <summary>Stores a new person and returns their token.</summary>
    /// <param name="profile">A JSON object. Its <c>login</c>, <c>email</c>, <c>phone</c> and <c>custom</c>
    /// fields, where present and not null, must be strings (<c>phone</c> may also be a number).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new person's token.</returns>
    /// <exception cref="VaultInputException">The profile is not an object, is larger than
    /// <see cref="DatabunkerOptions.MaxProfileBytes"/>, or an indexed field is malformed.</exception>
    /// <exception cref="DuplicateIndexException">Another person has the same login, email, phone or custom value.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<Guid> CreatePersonAsync(JsonElement profile, CancellationToken cancellationToken = default);

    /// <summary>Stores many persons in one transaction: all of them, or none when any is refused.</summary>
    /// <param name="profiles">The profiles, as for <see cref="CreatePersonAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new tokens, in the order of <paramref name="profiles"/>.</returns>
    /// <exception cref="VaultInputException">A profile is refused (see <see cref="CreatePersonAsync"/>).</exception>
    /// <exception cref="DuplicateIndexException">A value is taken, by a stored person or by another profile of the batch.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyList<Guid>> CreatePersonsAsync(IEnumerable<JsonElement> profiles, CancellationToken cancellationToken = default);

    /// <summary>Finds a person and decrypts their profile.</summary>
    /// <param name="lookup">How to find the person.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The person, or <see langword="null"/> when none matches (also after they were forgotten).</returns>
    /// <exception cref="PurposeNotAllowedException"><see cref="Privacy.PrivacyCatalogOptions.RequirePurpose"/> is on: read with <see cref="GetPersonForPurposeAsync"/>.</exception>
    /// <exception cref="VaultInputException">The lookup is the default value or its value is malformed.</exception>
    /// <exception cref="VaultCryptoException">The stored profile or key fails to authenticate.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<PersonRecord?> GetPersonAsync(PersonLookup lookup, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds a person and returns what a purpose of the privacy catalogue may see of their profile (GDPR Art. 5(1)(c)):
    /// only the fields its activity declares (<see cref="Privacy.ProcessingActivity.Fields"/>), each in its declared view
    /// (plain, or masked); a field outside them is absent, not null. A purpose that rests on consent is refused unless the
    /// person's latest decision is a grant. The read is audited with the purpose and the fields returned (their pointers,
    /// never their values), which the person sees in their history. <see cref="PurposeBoundVault"/> reads the same way.
    /// </summary>
    /// <param name="lookup">How to find the person.</param>
    /// <param name="purpose">The name of an activity of the catalogue, or <see cref="Privacy.Purposes.DataProtection"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The person as the purpose sees them, or <see langword="null"/> when none matches.</returns>
    /// <exception cref="PurposeNotAllowedException">The purpose is not in the catalogue, or the consent it rests on is not given.</exception>
    /// <exception cref="VaultInputException">The lookup is the default value or its value is malformed.</exception>
    /// <exception cref="VaultCryptoException">The stored profile or key fails to authenticate.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<PersonRecord?> GetPersonForPurposeAsync(PersonLookup lookup, string purpose, CancellationToken cancellationToken = default);

    /// <summary>
    /// The vault as <paramref name="purpose"/> sees it, over every read: profiles, app data and tokens (see
    /// <see cref="PurposeBoundVault"/>). The purpose is checked on each read, not here.
    /// </summary>
    /// <param name="purpose">The name of an activity of the privacy catalogue, or <see cref="Privacy.Purposes.DataProtection"/>.</param>
    /// <returns>The purpose-bound view.</returns>
    PurposeBoundVault ForPurpose(string purpose);

    /// <summary>
    /// Changes a person's profile with a JSON merge patch (RFC 7396): members of the patch replace those
    /// of the profile, <c>null</c> removes a member, nested objects merge. Changed index fields are
    /// re-indexed in the same transaction.
    /// </summary>
    /// <param name="lookup">How to find the person.</param>
    /// <param name="patch">A JSON object.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the person was found and updated.</returns>
    /// <exception cref="VaultInputException">The patch is not an object, or the patched profile is refused.</exception>
    /// <exception cref="DuplicateIndexException">A changed index value is taken by another person.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<bool> UpdatePersonAsync(PersonLookup lookup, JsonElement patch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets a person by crypto-shredding: their data key, index hashes, tokens and expiration state are
    /// deleted in one transaction, a tombstone keeps their token, and the erasure is audited. Their audit
    /// details become unreadable and their index values free for others.
    /// </summary>
    /// <param name="lookup">How to find the person.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the person was found and forgotten.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<bool> ForgetPersonAsync(PersonLookup lookup, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends a purpose of the catalogue for a person (their contract ended, they closed their account): the fields
    /// only that purpose held go in the next due-work pass, or after their retention when it is counted from the end
    /// (<see cref="Privacy.RetentionEvent.ContractEnd"/>). The first end counts; ending again changes nothing. Audited as
    /// <c>purpose.end</c>.
    /// </summary>
    /// <param name="lookup">How to find the person.</param>
    /// <param name="purpose">The name of an activity of the catalogue.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the person was found.</returns>
    /// <exception cref="PurposeNotAllowedException">The purpose is not an activity of the catalogue.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<bool> EndPurposeAsync(PersonLookup lookup, string purpose, CancellationToken cancellationToken = default);

    /// <summary>
    /// Field retention, the profiles module's part of the due-work pass (GDPR Art. 5(1)(c),(e)): deletes from each
    /// profile that is due the fields whose every declaring purpose has ended for the person (retention elapsed since
    /// its event, consent withdrawn or lapsed, the purpose ended by <see cref="EndPurposeAsync"/>), re-indexes and
    /// re-seals the rest, and audits each deletion by field name (<c>person.minimise</c>). A person whose last field
    /// goes is forgotten whole. Fields no activity declares are left alone. <see cref="IVaultAdministration.RunDueWorkAsync"/> calls it.
    /// </summary>
    /// <param name="cancellationToken">Stops between persons.</param>
    /// <returns>How many fields were deleted.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<int> DeleteExpiredFieldsAsync(CancellationToken cancellationToken = default);

    /// <summary>The audit trail of one person, oldest first; details are decrypted while the person exists.</summary>
    /// <param name="token">The person's token (also after they were forgotten).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyList<AuditEvent>> GetAuditEventsAsync(Guid token, CancellationToken cancellationToken = default);
}
