using System.Buffers;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Databunker.Core.AppData;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Databunker.Core.Identity;

/// <summary>
/// ASP.NET Core Identity's user store on the vault. A user is a person: the profile holds <c>login</c> (the normalised
/// user name, the vault's login index), <c>userName</c>, <c>email</c> (the vault's email index), <c>phone</c> (the
/// vault's phone index), <c>name</c> and, for an external login, <c>custom</c>; the person's Identity document (an
/// app-data document) holds the rest. Both are sealed under the person's key; the application's database holds
/// nothing of the user.
/// </summary>
/// <remarks>
/// A create writes the person, then the document, and forgets the person again when the document fails. An update
/// writes the document first (its version is the concurrency stamp, so a stale update changes nothing), then the
/// profile members that changed, and puts the document back when the profile write fails. A person without a
/// document is a user only with <see cref="DatabunkerIdentityOptions.AdoptPersons"/> (docs/identity.md, "Two writes").
/// </remarks>
internal sealed class DatabunkerUserStore(
    IPersonalDataVault vault,
    IAppDataManager appData,
    IOptions<DatabunkerIdentityOptions> options,
    IdentityErrorDescriber? describer = null,
    ILookupNormalizer? normalizer = null) :
    IUserPasswordStore<DatabunkerUser>,
    IUserEmailStore<DatabunkerUser>,
    IUserPhoneNumberStore<DatabunkerUser>,
    IUserSecurityStampStore<DatabunkerUser>,
    IUserLockoutStore<DatabunkerUser>,
    IUserTwoFactorStore<DatabunkerUser>,
    IUserAuthenticatorKeyStore<DatabunkerUser>,
    IUserTwoFactorRecoveryCodeStore<DatabunkerUser>,
    IUserLoginStore<DatabunkerUser>,
    IUserClaimStore<DatabunkerUser>,
    IUserRoleStore<DatabunkerUser>,
    IUserAuthenticationTokenStore<DatabunkerUser>
{
    private const string ExternalLoginPrefix = "identity-login\u001F";

    private readonly DatabunkerIdentityOptions _options = options.Value;
    private readonly IdentityErrorDescriber _errors = describer ?? new IdentityErrorDescriber();

    private string App => _options.AppName;

    // IUserStore

    public async Task<IdentityResult> CreateAsync(DatabunkerUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        cancellationToken.ThrowIfCancellationRequested();
        if (user.Token is not null)
        {
            throw new InvalidOperationException("The user is stored already: its Id is a person's token.");
        }

        if (Refusal(user) is { } refused)
        {
            return IdentityResult.Failed(refused);
        }

        var wanted = Wanted(user);
        Guid token;
        try
        {
            token = await vault.CreatePersonAsync(ProfileOf(wanted), cancellationToken).ConfigureAwait(false);
        }
        catch (DuplicateIndexException e)
        {
            return IdentityResult.Failed(Duplicate(e, wanted));
        }
        catch (VaultInputException e)
        {
            return IdentityResult.Failed(Invalid(e, wanted));
        }

        // The person holds the user name, email and phone now: a user without its document must not stay behind them,
        // so the document is written whatever the caller's token says, and a failure forgets the person again.
        var document = DocumentOf(user).ToJson();
        long version;
        try
        {
            version = await WriteNewDocumentAsync(token, document).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            try
            {
                await vault.ForgetPersonAsync(PersonLookup.ByToken(token), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception forgetting) when (forgetting is not OutOfMemoryException)
            {
                // The document's own failure is what the caller hears of; the person stays (docs/identity.md, "Two writes").
            }

            if (e is VaultInputException input)
            {
                return IdentityResult.Failed(Invalid(input, wanted));
            }

            throw;
        }

        user.Id = token.ToString();
        user.Stored = wanted;
        user.StoredLogins = user.Document.Logins.Count;
        user.StoredDocument = document;
        user.ConcurrencyStamp = version.ToString(CultureInfo.InvariantCulture);
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> UpdateAsync(DatabunkerUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        cancellationToken.ThrowIfCancellationRequested();
        var token = TokenOf(user);

        // A copy without a stamp this store gave (detached, or made by hand) would overwrite the secrets unseen.
        if (ExpectedVersion(user) is not { } expected)
        {
            return IdentityResult.Failed(_errors.ConcurrencyFailure());
        }

        if (Refusal(user) is { } refusedLogin)
        {
            return IdentityResult.Failed(refusedLogin);
        }

        var wanted = Wanted(user);
        var patch = PatchOf(user.Stored, wanted);

        // A changed index value is checked before anything is written: a malformed or taken one fails the update whole.
        if (patch is not null && await CheckIndexesAsync(token, user.Stored, wanted, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return IdentityResult.Failed(refused);
        }

        var document = DocumentOf(user).ToJson();
        long version;
        try
        {
            version = await appData.PutAsync(token, App, document, expected, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is VersionConflictException or PersonNotFoundException)
        {
            return IdentityResult.Failed(_errors.ConcurrencyFailure());
        }
        catch (VaultInputException e)
        {
            return IdentityResult.Failed(Invalid(e, wanted));
        }

        user.ConcurrencyStamp = version.ToString(CultureInfo.InvariantCulture);
        if (patch is not null)
        {
            // The document is written: the profile follows whatever the caller's token says, or the document goes back.
            IdentityError? failed = null;
            try
            {
                if (!await vault.UpdatePersonAsync(PersonLookup.ByToken(token), patch.Value, CancellationToken.None).ConfigureAwait(false))
                {
                    return IdentityResult.Failed(_errors.ConcurrencyFailure());
                }
            }
            catch (DuplicateIndexException e)
            {
                failed = Duplicate(e, wanted);
            }
            catch (VaultInputException e)
            {
                failed = Invalid(e, wanted);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                await RestoreDocumentAsync(user, token, version).ConfigureAwait(false);
                throw;
            }

            if (failed is not null)
            {
                await RestoreDocumentAsync(user, token, version).ConfigureAwait(false);
                return IdentityResult.Failed(failed);
            }

            user.Stored = wanted;
        }

        user.StoredLogins = user.Document.Logins.Count;
        user.StoredDocument = document;
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> DeleteAsync(DatabunkerUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        cancellationToken.ThrowIfCancellationRequested();
        var token = TokenOf(user);
        if (ExpectedVersion(user) is not { } expected)
        {
            return IdentityResult.Failed(_errors.ConcurrencyFailure());
        }

        // The stamp is checked against the document as it is now; a document missing is version 0. Reading, not writing,
        // keeps a retry possible and a document over a lowered size limit deletable.
        AppDocument? stored;
        try
        {
            stored = await ReadDocumentAsync(token, cancellationToken).ConfigureAwait(false);
        }
        catch (PersonNotFoundException)
        {
            return IdentityResult.Failed(_errors.ConcurrencyFailure());
        }

        if ((stored?.Version ?? 0) != expected)
        {
            return IdentityResult.Failed(_errors.ConcurrencyFailure());
        }

        // Forgetting the person erases the profile, every app document, token, session and consent of theirs.
        return await vault.ForgetPersonAsync(PersonLookup.ByToken(token), CancellationToken.None).ConfigureAwait(false)
            ? IdentityResult.Success
            : IdentityResult.Failed(_errors.ConcurrencyFailure());
    }

    public Task<DatabunkerUser?> FindByIdAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return Guid.TryParse(userId, out var token) ? FindAsync(PersonLookup.ByToken(token), cancellationToken) : Task.FromResult<DatabunkerUser?>(null);
    }

    public async Task<DatabunkerUser?> FindByNameAsync(string normalizedUserName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(normalizedUserName);
        if (string.IsNullOrWhiteSpace(normalizedUserName))
        {
            return null;
        }

        DatabunkerUser? user;
        try
        {
            user = await FindAsync(PersonLookup.ByLogin(normalizedUserName), cancellationToken).ConfigureAwait(false);
        }
        catch (VaultInputException)
        {
            // Not a name the vault would hold (control or invisible characters, too long): nobody has it.
            return null;
        }

        return user?.NormalizedUserName == normalizedUserName ? user : null;
    }

    public Task<string> GetUserIdAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.Id!);

    public Task<string?> GetUserNameAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.UserName);

    public Task SetUserNameAsync(DatabunkerUser user, string? userName, CancellationToken cancellationToken) => Set(user, u => u.UserName = userName);

    public Task<string?> GetNormalizedUserNameAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.NormalizedUserName);

    public Task SetNormalizedUserNameAsync(DatabunkerUser user, string? normalizedName, CancellationToken cancellationToken) =>
        Set(user, u => u.NormalizedUserName = normalizedName);

    // IUserEmailStore

    public async Task<DatabunkerUser?> FindByEmailAsync(string normalizedEmail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(normalizedEmail);
        DatabunkerUser? user;
        try
        {
            user = await FindAsync(PersonLookup.ByEmail(normalizedEmail), cancellationToken).ConfigureAwait(false);
        }
        catch (VaultInputException)
        {
            // Not an address the vault would hold: nobody has it.
            return null;
        }

        // The vault's email index folds case as the vault does; Identity's normalised form must match as well.
        return user?.NormalizedEmail == normalizedEmail ? user : null;
    }

    public Task SetEmailAsync(DatabunkerUser user, string? email, CancellationToken cancellationToken) => Set(user, u => u.Email = email);

    public Task<string?> GetEmailAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.Email);

    public Task<bool> GetEmailConfirmedAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.EmailConfirmed);

    public Task SetEmailConfirmedAsync(DatabunkerUser user, bool confirmed, CancellationToken cancellationToken) => Set(user, u => u.EmailConfirmed = confirmed);

    public Task<string?> GetNormalizedEmailAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.NormalizedEmail);

    public Task SetNormalizedEmailAsync(DatabunkerUser user, string? normalizedEmail, CancellationToken cancellationToken) =>
        Set(user, u => u.NormalizedEmail = normalizedEmail);

    // IUserPhoneNumberStore

    public Task SetPhoneNumberAsync(DatabunkerUser user, string? phoneNumber, CancellationToken cancellationToken) => Set(user, u => u.PhoneNumber = phoneNumber);

    public Task<string?> GetPhoneNumberAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.PhoneNumber);

    public Task<bool> GetPhoneNumberConfirmedAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.PhoneNumberConfirmed);

    public Task SetPhoneNumberConfirmedAsync(DatabunkerUser user, bool confirmed, CancellationToken cancellationToken) =>
        Set(user, u => u.PhoneNumberConfirmed = confirmed);

    // IUserPasswordStore

    public Task SetPasswordHashAsync(DatabunkerUser user, string? passwordHash, CancellationToken cancellationToken) => Set(user, u => u.PasswordHash = passwordHash);

    public Task<string?> GetPasswordHashAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.PasswordHash);

    public Task<bool> HasPasswordAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.PasswordHash is not null);

    // IUserSecurityStampStore

    public Task SetSecurityStampAsync(DatabunkerUser user, string stamp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stamp);
        return Set(user, u => u.SecurityStamp = stamp);
    }

    public Task<string?> GetSecurityStampAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.SecurityStamp);

    // IUserLockoutStore

    public Task<DateTimeOffset?> GetLockoutEndDateAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.LockoutEnd);

    public Task SetLockoutEndDateAsync(DatabunkerUser user, DateTimeOffset? lockoutEnd, CancellationToken cancellationToken) => Set(user, u => u.LockoutEnd = lockoutEnd);

    public Task<int> IncrementAccessFailedCountAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => ++u.AccessFailedCount);

    public Task ResetAccessFailedCountAsync(DatabunkerUser user, CancellationToken cancellationToken) => Set(user, u => u.AccessFailedCount = 0);

    public Task<int> GetAccessFailedCountAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.AccessFailedCount);

    public Task<bool> GetLockoutEnabledAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.LockoutEnabled);

    public Task SetLockoutEnabledAsync(DatabunkerUser user, bool enabled, CancellationToken cancellationToken) => Set(user, u => u.LockoutEnabled = enabled);

    // IUserTwoFactorStore, IUserAuthenticatorKeyStore, IUserTwoFactorRecoveryCodeStore

    public Task SetTwoFactorEnabledAsync(DatabunkerUser user, bool enabled, CancellationToken cancellationToken) => Set(user, u => u.TwoFactorEnabled = enabled);

    public Task<bool> GetTwoFactorEnabledAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.TwoFactorEnabled);

    public Task SetAuthenticatorKeyAsync(DatabunkerUser user, string key, CancellationToken cancellationToken) => Set(user, u => u.Document.AuthenticatorKey = key);

    public Task<string?> GetAuthenticatorKeyAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.Document.AuthenticatorKey);

    public Task ReplaceCodesAsync(DatabunkerUser user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recoveryCodes);
        return Set(user, u => u.Document.RecoveryCodes = [.. recoveryCodes]);
    }

    public Task<bool> RedeemCodeAsync(DatabunkerUser user, string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        return Get(user, u => u.Document.RecoveryCodes.Remove(code));
    }

    public Task<int> CountCodesAsync(DatabunkerUser user, CancellationToken cancellationToken) => Get(user, u => u.Document.RecoveryCodes.Count);

    // IUserLoginStore

    public Task AddLoginAsync(DatabunkerUser user, UserLoginInfo login, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(login);

        // Kept with the user; the update that follows refuses what the vault cannot index (see Refusal).
        return Set(user, u => u.Document.Logins.Add(new ExternalLogin(login.LoginProvider, login.ProviderKey, login.ProviderDisplayName)));
    }

    public Task RemoveLoginAsync(DatabunkerUser user, string loginProvider, string providerKey, CancellationToken cancellationToken) =>
        Set(user, u => u.Document.Logins.RemoveAll(l => l.Provider == loginProvider && l.Key == providerKey));

    public Task<IList<UserLoginInfo>> GetLoginsAsync(DatabunkerUser user, CancellationToken cancellationToken) =>
        Get<IList<UserLoginInfo>>(user, u => [.. u.Document.Logins.Select(l => new UserLoginInfo(l.Provider, l.Key, l.DisplayName))]);

    public async Task<DatabunkerUser?> FindByLoginAsync(string loginProvider, string providerKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loginProvider);
        ArgumentNullException.ThrowIfNull(providerKey);
        if (!_options.IndexExternalLogin)
        {
            return null;
        }

        DatabunkerUser? user;
        try
        {
            user = await FindAsync(PersonLookup.ByCustom(ExternalLoginOf(loginProvider, providerKey)), cancellationToken).ConfigureAwait(false);
        }
        catch (VaultInputException)
        {
            return null;
        }

        return user is not null && user.Document.Logins.Exists(l => l.Provider == loginProvider && l.Key == providerKey) ? user : null;
    }

    // IUserClaimStore

    public Task<IList<Claim>> GetClaimsAsync(DatabunkerUser user, CancellationToken cancellationToken) =>
        Get<IList<Claim>>(user, u => [.. u.Document.Claims.Select(c => new Claim(c.Type, c.Value, c.ValueType ?? ClaimValueTypes.String))]);

    public Task AddClaimsAsync(DatabunkerUser user, IEnumerable<Claim> claims, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claims);
        return Set(user, u => u.Document.Claims.AddRange(claims.Select(StoredClaimOf)));
    }

    public Task ReplaceClaimAsync(DatabunkerUser user, Claim claim, Claim newClaim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(newClaim);
        return Set(user, u =>
        {
            var list = u.Document.Claims;
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i].Type == claim.Type && list[i].Value == claim.Value)
                {
                    list[i] = StoredClaimOf(newClaim);
                }
            }
        });
    }

    public Task RemoveClaimsAsync(DatabunkerUser user, IEnumerable<Claim> claims, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claims);
        return Set(user, u =>
        {
            foreach (var claim in claims)
            {
                u.Document.Claims.RemoveAll(c => c.Type == claim.Type && c.Value == claim.Value);
            }
        });
    }

    public Task<IList<DatabunkerUser>> GetUsersForClaimAsync(Claim claim, CancellationToken cancellationToken) =>
        throw new NotSupportedException(
            "The vault finds a person by an index (token, user name, email, phone, custom), never by scanning: it cannot list the users who hold a claim. Keep such a list in the application's own store.");

    // IUserRoleStore

    public Task AddToRoleAsync(DatabunkerUser user, string roleName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(roleName);
        if (_options.Roles.Count > 0 && !_options.Roles.Any(r => Normalize(r) == roleName))
        {
            // As Identity's own store does for a role that does not exist; role names are not personal data.
            throw new InvalidOperationException($"Role {roleName} does not exist: roles are declared in DatabunkerIdentityOptions.Roles.");
        }

        return Set(user, u =>
        {
            if (!u.Document.Roles.Contains(roleName, StringComparer.Ordinal))
            {
                u.Document.Roles.Add(roleName);
            }
        });
    }

    public Task RemoveFromRoleAsync(DatabunkerUser user, string roleName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(roleName);
        return Set(user, u => u.Document.Roles.Remove(roleName));
    }

    public Task<IList<string>> GetRolesAsync(DatabunkerUser user, CancellationToken cancellationToken) =>
        Get<IList<string>>(user, u => [.. u.Document.Roles.Select(r => _options.Roles.FirstOrDefault(declared => Normalize(declared) == r) ?? r)]);

    public Task<bool> IsInRoleAsync(DatabunkerUser user, string roleName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(roleName);
        return Get(user, u => u.Document.Roles.Contains(roleName, StringComparer.Ordinal)
            && (_options.Roles.Count == 0 || _options.Roles.Any(r => Normalize(r) == roleName)));
    }

    public Task<IList<DatabunkerUser>> GetUsersInRoleAsync(string roleName, CancellationToken cancellationToken) =>
        throw new NotSupportedException(
            "The vault finds a person by an index (token, user name, email, phone, custom), never by scanning: it cannot list a role's members. Keep such a list in the application's own store.");

    // IUserAuthenticationTokenStore

    public Task SetTokenAsync(DatabunkerUser user, string loginProvider, string name, string? value, CancellationToken cancellationToken) =>
        Set(user, u =>
        {
            u.Document.Tokens.RemoveAll(t => t.Provider == loginProvider && t.Name == name);
            u.Document.Tokens.Add(new StoredToken(loginProvider, name, value));
        });

    public Task RemoveTokenAsync(DatabunkerUser user, string loginProvider, string name, CancellationToken cancellationToken) =>
        Set(user, u => u.Document.Tokens.RemoveAll(t => t.Provider == loginProvider && t.Name == name));

    public Task<string?> GetTokenAsync(DatabunkerUser user, string loginProvider, string name, CancellationToken cancellationToken) =>
        Get(user, u => u.Document.Tokens.Find(t => t.Provider == loginProvider && t.Name == name)?.Value);

    public void Dispose()
    {
    }

    // The user and the vault.

    private async Task<DatabunkerUser?> FindAsync(PersonLookup lookup, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var person = await ReadPersonAsync(lookup, cancellationToken).ConfigureAwait(false);
        if (person is null)
        {
            return null;
        }

        var stored = await ReadDocumentAsync(person.Token, cancellationToken).ConfigureAwait(false);
        if (stored is null && !_options.AdoptPersons)
        {
            // A person who is not a user (DatabunkerIdentityOptions.AdoptPersons).
            return null;
        }

        // Read once: the checks below and the user are made from the same document.
        var document = stored is null ? null : IdentityDocument.FromJson(stored.Data);
        if (document?.SecurityStamp is null || !IdentityDocument.NamesCredentials(stored!.Data))
        {
            // An adopted person, or a document an import wrote without --credential or a stamp: Identity needs a security
            // stamp (its email and phone codes are keyed by it), and the document must name its credentials so that an
            // export withholds them, so the first read writes it once.
            stored = await InitializeDocumentAsync(person.Token, stored, cancellationToken).ConfigureAwait(false);
            document = stored is null ? null : IdentityDocument.FromJson(stored.Data);
        }

        return stored is null ? null : Materialize(person, stored, document!);
    }

    private Task<PersonRecord?> ReadPersonAsync(PersonLookup lookup, CancellationToken cancellationToken) =>
        _options.Purpose is { } purpose
            ? vault.GetPersonForPurposeAsync(lookup, purpose, cancellationToken)
            : vault.GetPersonAsync(lookup, cancellationToken);

    private Task<AppDocument?> ReadDocumentAsync(Guid token, CancellationToken cancellationToken) =>
        _options.Purpose is { } purpose
            ? appData.GetForPurposeAsync(token, App, purpose, cancellationToken)
            : appData.GetAsync(token, App, cancellationToken);

    private async Task<AppDocument?> InitializeDocumentAsync(Guid token, AppDocument? stored, CancellationToken cancellationToken)
    {
        var document = stored is null ? new IdentityDocument() : IdentityDocument.FromJson(stored.Data);
        document.SecurityStamp ??= Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
        try
        {
            await appData.PutAsync(token, App, document.ToJson(), stored?.Version ?? 0, cancellationToken).ConfigureAwait(false);
        }
        catch (VersionConflictException)
        {
            // Another reader (or a write) was first: its document stands.
        }
        catch (PersonNotFoundException)
        {
            return null;
        }

        return await ReadDocumentAsync(token, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Puts back the document as it was before an update whose profile write failed, so that the update changes nothing.</summary>
    private async Task RestoreDocumentAsync(DatabunkerUser user, Guid token, long written)
    {
        try
        {
            long restored = 0;
            if (user.StoredDocument is { } before)
            {
                restored = await appData.PutAsync(token, App, before, written, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await appData.DeleteAsync(token, App, written, CancellationToken.None).ConfigureAwait(false);
            }

            user.ConcurrencyStamp = restored.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is VersionConflictException or PersonNotFoundException)
        {
            // Another writer came between: its document stands, and this copy is stale.
        }
    }

    /// <summary>What the vault cannot index of the user's external logins, refused before anything is written.</summary>
    private IdentityError? Refusal(DatabunkerUser user)
    {
        var logins = user.Document.Logins.Count;
        if (logins == 0 || logins <= user.StoredLogins)
        {
            // Only an update that adds a login is checked: one that counts a failed sign-in must never fail for logins
            // the user had before the options changed.
            return null;
        }

        if (!_options.IndexExternalLogin)
        {
            return new IdentityError { Code = "ExternalLoginsOff", Description = "External logins are off for this application." };
        }

        if (logins > 1)
        {
            return new IdentityError { Code = "OneExternalLogin", Description = "An account has at most one external login here: remove the other one first." };
        }

        return user.Stored.ExternalLogin is { } held && !held.StartsWith(ExternalLoginPrefix, StringComparison.Ordinal)
            ? new IdentityError { Code = "ExternalLoginsOff", Description = "External logins are off for this account." }
            : null;
    }

    private DatabunkerUser Materialize(PersonRecord person, AppDocument stored, IdentityDocument document)
    {
        var profile = person.Profile;
        var login = Text(profile, "login");
        var user = new DatabunkerUser
        {
            Id = person.Token.ToString(),
            UserName = Text(profile, "userName") ?? login,
            NormalizedUserName = login,
            Email = Text(profile, "email"),
            PhoneNumber = Text(profile, "phone"),
            Name = Text(profile, "name"),
            ConcurrencyStamp = stored.Version.ToString(CultureInfo.InvariantCulture),
            Document = document,
            StoredDocument = stored.Data,
            EmailConfirmed = document.EmailConfirmed,
            PhoneNumberConfirmed = document.PhoneNumberConfirmed,
            PasswordHash = document.PasswordHash,
            SecurityStamp = document.SecurityStamp,
            TwoFactorEnabled = document.TwoFactorEnabled,
            LockoutEnd = document.LockoutEnd,
            LockoutEnabled = document.LockoutEnabled,
            AccessFailedCount = document.AccessFailedCount,
        };

        // An email or phone number changed outside Identity (a correction in the privacy portal, a DPO's rectification) is
        // found by its new value and is not confirmed: the confirmation was of the old one.
        // (An imported document names the address by Identity's normalised form, which may come from another normaliser:
        // compared without case, as the vault's index compares addresses.)
        var emailChanged = document.EmailConfirmedFor is { } emailFor
            ? emailFor != IdentityDocument.Fingerprint(user.Email)
            : document.NormalizedEmail is { } imported && !string.Equals(imported, user.Email, StringComparison.OrdinalIgnoreCase);
        if (emailChanged)
        {
            user.EmailConfirmed = false;
        }

        user.NormalizedEmail = user.Email is null ? null : NormalizeEmail(user.Email);
        if (document.PhoneConfirmedFor is { } phoneFor && phoneFor != IdentityDocument.Fingerprint(user.PhoneNumber))
        {
            user.PhoneNumberConfirmed = false;
        }

        user.StoredLogins = document.Logins.Count;
        user.Stored = new StoredProfile(login, Text(profile, "userName"), user.Email, user.PhoneNumber, user.Name, Text(profile, "custom"));
        return user;
    }

    private static string? Text(JsonElement profile, string member) =>
        profile.ValueKind == JsonValueKind.Object && profile.TryGetProperty(member, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private StoredProfile Wanted(DatabunkerUser user)
    {
        var external = user.Document.Logins is [var first, ..] && _options.IndexExternalLogin ? ExternalLoginOf(first.Provider, first.Key) : null;

        // The custom index is the store's only while it holds an external login: an application's own custom value is
        // left as it is (Refusal keeps a login from replacing it), and so is the store's own login while external logins
        // are off, so that it is found again once they are on.
        if (external is null && user.Stored.ExternalLogin is { } held
            && (!held.StartsWith(ExternalLoginPrefix, StringComparison.Ordinal) || !_options.IndexExternalLogin))
        {
            external = held;
        }

        return new StoredProfile(Blank(user.NormalizedUserName), Blank(user.UserName), Blank(user.Email), Blank(user.PhoneNumber), Blank(user.Name), external);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static IdentityDocument DocumentOf(DatabunkerUser user)
    {
        var document = user.Document;
        document.EmailConfirmed = user.EmailConfirmed;
        document.PhoneNumberConfirmed = user.PhoneNumberConfirmed;
        document.PasswordHash = user.PasswordHash;
        document.SecurityStamp = user.SecurityStamp;
        document.TwoFactorEnabled = user.TwoFactorEnabled;
        document.LockoutEnd = user.LockoutEnd;
        document.LockoutEnabled = user.LockoutEnabled;
        document.AccessFailedCount = user.AccessFailedCount;
        document.NormalizedEmail = null;
        document.EmailConfirmedFor = IdentityDocument.Fingerprint(user.Email);
        document.PhoneConfirmedFor = IdentityDocument.Fingerprint(user.PhoneNumber);
        return document;
    }

    /// <summary>The profile of a new person: only the members that have a value.</summary>
    private static JsonElement ProfileOf(StoredProfile wanted) => Json(writer =>
    {
        foreach (var (name, value) in Members(wanted))
        {
            if (value is not null)
            {
                writer.WriteString(name, value);
            }
        }
    });

    /// <summary>A merge patch of the members that changed (null removes one), or <see langword="null"/> when none did.</summary>
    private static JsonElement? PatchOf(StoredProfile stored, StoredProfile wanted)
    {
        var changed = Members(stored).Zip(Members(wanted)).Where(p => p.First.Value != p.Second.Value).Select(p => p.Second).ToList();
        return changed.Count == 0 ? null : Json(writer =>
        {
            foreach (var (name, value) in changed)
            {
                if (value is null)
                {
                    writer.WriteNull(name);
                }
                else
                {
                    writer.WriteString(name, value);
                }
            }
        });
    }

    private static IEnumerable<(string Name, string? Value)> Members(StoredProfile p) =>
        [("login", p.Login), ("userName", p.UserName), ("email", p.Email), ("phone", p.Phone), ("name", p.Name), ("custom", p.ExternalLogin)];

    private static JsonElement Json(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>Refuses a changed index value that is malformed or held by another person, before the update writes.</summary>
    private async Task<IdentityError?> CheckIndexesAsync(Guid token, StoredProfile stored, StoredProfile wanted, CancellationToken cancellationToken)
    {
        (string? Before, string? After, Func<string, PersonLookup> Lookup, string Field)[] indexes =
        [
            (stored.Login, wanted.Login, PersonLookup.ByLogin, "login"),
            (stored.Email, wanted.Email, PersonLookup.ByEmail, "email"),
            (stored.Phone, wanted.Phone, PersonLookup.ByPhone, "phone"),
            (stored.ExternalLogin, wanted.ExternalLogin, PersonLookup.ByCustom, "custom"),
        ];
        foreach (var (before, after, lookup, field) in indexes)
        {
            if (after is null || after == before)
            {
                continue;
            }

            try
            {
                var holder = await ReadPersonAsync(lookup(after), cancellationToken).ConfigureAwait(false);
                if (holder is not null && holder.Token != token)
                {
                    return Duplicate(new DuplicateIndexException(field), wanted);
                }
            }
            catch (VaultInputException e)
            {
                return Invalid(new VaultInputException(e.Message, e.ParamName, field), wanted);
            }
        }

        return null;
    }

    private IdentityError Duplicate(DuplicateIndexException e, StoredProfile wanted) => e.IndexName switch
    {
        "login" => _errors.DuplicateUserName(wanted.UserName ?? wanted.Login ?? string.Empty),
        "email" => _errors.DuplicateEmail(wanted.Email ?? string.Empty),
        "custom" => _errors.LoginAlreadyAssociated(),
        _ => new IdentityError { Code = "DuplicatePhoneNumber", Description = "Another user already has this phone number." },
    };

    private IdentityError Invalid(VaultInputException e, StoredProfile wanted) => e.Field switch
    {
        "login" => _errors.InvalidUserName(wanted.UserName),
        "email" => _errors.InvalidEmail(wanted.Email),
        "phone" => new IdentityError { Code = "InvalidPhoneNumber", Description = "The phone number is not a valid international number (+ and the country code, then the number)." },
        _ => new IdentityError { Code = "InvalidProfile", Description = e.Message },
    };

    private string NormalizeEmail(string email) => normalizer?.NormalizeEmail(email) ?? email.ToUpperInvariant();

    private string? Normalize(string? name) => name is null ? null : normalizer?.NormalizeName(name) ?? name.ToUpperInvariant();

    /// <summary>
    /// Writes a new user's document. A read between the person's create and this write may have written a document of
    /// its own (an adopted person's, <see cref="DatabunkerIdentityOptions.AdoptPersons"/>), which holds no password: it
    /// is written over.
    /// </summary>
    private async Task<long> WriteNewDocumentAsync(Guid token, JsonElement document)
    {
        try
        {
            return await appData.PutAsync(token, App, document, expectedVersion: 0, CancellationToken.None).ConfigureAwait(false);
        }
        catch (VersionConflictException)
        {
            var other = await ReadDocumentAsync(token, CancellationToken.None).ConfigureAwait(false);
            if (other is null || IdentityDocument.FromJson(other.Data).PasswordHash is not null)
            {
                throw;
            }

            return await appData.PutAsync(token, App, document, other.Version, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static string ExternalLoginOf(string provider, string key) => string.Concat(ExternalLoginPrefix, provider, "\u001F", key);

    private static StoredClaim StoredClaimOf(Claim claim) =>
        new(claim.Type, claim.Value, claim.ValueType == ClaimValueTypes.String ? null : claim.ValueType);

    private static Guid TokenOf(DatabunkerUser user) =>
        user.Token ?? throw new InvalidOperationException("The user is not stored: create it with UserManager.CreateAsync first.");

    private static long? ExpectedVersion(DatabunkerUser user) =>
        long.TryParse(user.ConcurrencyStamp, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;

    private static Task<T> Get<T>(DatabunkerUser user, Func<DatabunkerUser, T> read)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Task.FromResult(read(user));
    }

    private static Task Set(DatabunkerUser user, Action<DatabunkerUser> write)
    {
        ArgumentNullException.ThrowIfNull(user);
        write(user);
        return Task.CompletedTask;
    }
}
