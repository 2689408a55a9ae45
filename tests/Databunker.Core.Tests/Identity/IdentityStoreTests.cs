using System.Security.Claims;
using System.Text;
using Databunker.Core.AppData;
using Databunker.Core.Identity;
using Databunker.Core.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Tests.Identity;

/// <summary>
/// ASP.NET Core Identity on the vault (issue 33): the contract of each store interface Identity's features use, driven
/// through Identity's own <see cref="UserManager{TUser}"/> on every provider, with the database read as an attacker
/// would read it to show that no email, user name, phone, name or password hash sits in it in the clear.
/// </summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class IdentityStoreTests(string store)
{
    private const string Password = "Correct-Horse-9";

    private readonly TestStore _store = TestStore.Named(store);

    [Test]
    public async Task Create_StoresTheUserAsAPerson_FoundByIdNameAndEmail_InAnyCase()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);

        var alice = new DatabunkerUser("Alice.Smith") { Email = "Alice@Shop.Example", PhoneNumber = "+44 20 7946 0958", Name = "Alice Smith" };
        (await users.CreateAsync(alice, Password)).Succeeded.Should().BeTrue();

        alice.Token.Should().NotBeNull("the user's id is the person's token");
        var person = await host.Vault.GetPersonAsync(PersonLookup.ByToken(alice.Token!.Value));
        person!.Profile.GetProperty("email").GetString().Should().Be("Alice@Shop.Example", "the profile keeps the address as written");
        person.Profile.GetProperty("name").GetString().Should().Be("Alice Smith");
        (await host.Vault.GetPersonAsync(PersonLookup.ByPhone("020 7946 0958")))!.Token.Should().Be(alice.Token.Value, "the phone is the vault's phone index");

        (await users.FindByIdAsync(alice.Id))!.UserName.Should().Be("Alice.Smith");
        (await users.FindByNameAsync("alice.smith"))!.Id.Should().Be(alice.Id, "Identity normalises the name it looks up");
        (await users.FindByNameAsync("ALICE.SMITH"))!.Id.Should().Be(alice.Id);
        (await users.FindByEmailAsync("alice@shop.example"))!.Id.Should().Be(alice.Id);
        var found = await users.FindByEmailAsync("ALICE@SHOP.EXAMPLE");
        found!.Email.Should().Be("Alice@Shop.Example");
        found.Name.Should().Be("Alice Smith");
        found.PhoneNumber.Should().Be("+44 20 7946 0958");
        (await users.FindByNameAsync("bob")).Should().BeNull();
        (await users.FindByEmailAsync("bob@shop.example")).Should().BeNull();
        (await users.FindByIdAsync(Guid.NewGuid().ToString())).Should().BeNull();
        (await users.FindByIdAsync("not a token")).Should().BeNull();
    }

    [Test]
    public async Task TheDatabase_HoldsNoUserNameEmailPhoneNameOrPasswordHash_InTheClear()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var alice = new DatabunkerUser("alice-the-customer") { Email = "alice.unique@shop.example", PhoneNumber = "+442079460958", Name = "Alice Quintessa" };
        (await users.CreateAsync(alice, Password)).Succeeded.Should().BeTrue();
        await users.AddClaimAsync(alice, new Claim("given_name", "Quintessa"));
        var stored = await users.FindByIdAsync(alice.Id);
        stored!.PasswordHash.Should().NotBeNullOrEmpty();

        foreach (var secret in new[] { "alice-the-customer", "ALICE-THE-CUSTOMER", "alice.unique@shop.example", "ALICE.UNIQUE@SHOP.EXAMPLE", "2079460958", "Quintessa", stored.PasswordHash!, stored.SecurityStamp! })
        {
            host.Holds(Encoding.UTF8.GetBytes(secret)).Should().BeFalse($"the database must not hold a value of the user in the clear ({secret.Length} characters)");
        }

        host.Logs.Lines.Should().NotContain(l => l.Contains("alice", StringComparison.OrdinalIgnoreCase) || l.Contains("Quintessa", StringComparison.Ordinal));
    }

    [Test]
    public async Task Create_WithATakenUserNameOrEmail_FailsWithIdentitysCodes_AndMakesNobody()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        (await users.CreateAsync(new DatabunkerUser("alice") { Email = "alice@shop.example" })).Succeeded.Should().BeTrue();

        var sameName = await users.CreateAsync(new DatabunkerUser("ALICE") { Email = "other@shop.example" });
        sameName.Errors.Select(e => e.Code).Should().Equal("DuplicateUserName");

        // RequireUniqueEmail is off (Identity's default), so the validator lets it through: the vault's email index refuses it.
        var sameEmail = await users.CreateAsync(new DatabunkerUser("bob") { Email = "Alice@Shop.Example" });
        sameEmail.Errors.Select(e => e.Code).Should().Equal("DuplicateEmail");

        var badEmail = await users.CreateAsync(new DatabunkerUser("carol") { Email = "carol@nowhere" });
        badEmail.Errors.Select(e => e.Code).Should().Equal("InvalidEmail");

        var badPhone = await users.CreateAsync(new DatabunkerUser("dave") { PhoneNumber = "call me" });
        badPhone.Errors.Select(e => e.Code).Should().Equal("InvalidPhoneNumber");

        foreach (var refused in new[] { "BOB", "CAROL", "DAVE" })
        {
            (await host.Vault.GetPersonAsync(PersonLookup.ByLogin(refused))).Should().BeNull("a refused create leaves no person in the vault");
        }

        (await host.Vault.GetPersonAsync(PersonLookup.ByEmail("other@shop.example"))).Should().BeNull();
    }

    [Test]
    public async Task ChangingTheEmailOrUserName_FindsTheUserByTheNewValueOnly_AndFreesTheOld()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var alice = new DatabunkerUser("alice") { Email = "alice@shop.example" };
        (await users.CreateAsync(alice)).Succeeded.Should().BeTrue();

        var token = await users.GenerateChangeEmailTokenAsync(alice, "alice@new.example");
        (await users.ChangeEmailAsync(alice, "alice@new.example", token)).Succeeded.Should().BeTrue();
        (await users.SetUserNameAsync(alice, "alice2")).Succeeded.Should().BeTrue();

        (await users.FindByEmailAsync("ALICE@NEW.EXAMPLE"))!.Id.Should().Be(alice.Id);
        (await users.FindByEmailAsync("ALICE@SHOP.EXAMPLE")).Should().BeNull();
        (await users.FindByNameAsync("ALICE2"))!.EmailConfirmed.Should().BeTrue("a changed email is confirmed by its token");
        (await users.FindByNameAsync("ALICE")).Should().BeNull();
        (await users.CreateAsync(new DatabunkerUser("alice") { Email = "alice@shop.example" })).Succeeded.Should().BeTrue("the old name and address are free");
    }

    [Test]
    public async Task AnUpdate_ToAValueAnotherUserHolds_FailsWhole_AndTheUserKeepsItsValues()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        (await users.CreateAsync(new DatabunkerUser("alice") { Email = "alice@shop.example" })).Succeeded.Should().BeTrue();
        var bob = new DatabunkerUser("bob") { Email = "bob@shop.example" };
        (await users.CreateAsync(bob)).Succeeded.Should().BeTrue();
        var stamp = bob.ConcurrencyStamp;

        (await users.SetEmailAsync(bob, "ALICE@shop.example")).Errors.Select(e => e.Code).Should().Equal("DuplicateEmail");
        (await users.SetPhoneNumberAsync((await users.FindByIdAsync(bob.Id))!, "12")).Errors.Select(e => e.Code).Should().Equal("InvalidPhoneNumber");
        var alice = await users.FindByNameAsync("ALICE");
        (await users.SetPhoneNumberAsync(alice!, "+442079460958")).Succeeded.Should().BeTrue();
        (await users.SetPhoneNumberAsync((await users.FindByIdAsync(bob.Id))!, "+44 20 7946 0958")).Errors.Select(e => e.Code).Should().Equal("DuplicatePhoneNumber");

        var stored = await users.FindByIdAsync(bob.Id);
        stored!.Email.Should().Be("bob@shop.example");
        stored.PhoneNumber.Should().BeNull();
        stored.ConcurrencyStamp.Should().Be(stamp, "a refused update writes nothing");
    }

    [Test]
    public async Task AStaleCopy_CannotBeUpdatedOrDeleted_ConcurrencyFailure()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var created = new DatabunkerUser("alice") { Email = "alice@shop.example" };
        (await users.CreateAsync(created)).Succeeded.Should().BeTrue();

        var first = await users.FindByIdAsync(created.Id);
        var second = await users.FindByIdAsync(created.Id);
        first!.ConcurrencyStamp.Should().Be(second!.ConcurrencyStamp);

        (await users.SetPhoneNumberAsync(first, "+442079460958")).Succeeded.Should().BeTrue();
        first.ConcurrencyStamp.Should().NotBe(second.ConcurrencyStamp, "every write moves the stamp");

        var stale = await users.SetEmailAsync(second, "mallory@shop.example");
        stale.Errors.Select(e => e.Code).Should().Equal("ConcurrencyFailure");
        (await users.DeleteAsync(second)).Errors.Select(e => e.Code).Should().Equal("ConcurrencyFailure");

        var now = await users.FindByIdAsync(created.Id);
        now!.Email.Should().Be("alice@shop.example", "the stale update changed nothing");
        now.PhoneNumber.Should().Be("+442079460958");
        (await users.DeleteAsync(now)).Succeeded.Should().BeTrue("a fresh copy deletes");
    }

    [Test]
    public async Task Delete_ForgetsThePerson_AndEveryAppDocument()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var alice = new DatabunkerUser("alice") { Email = "alice@shop.example" };
        (await users.CreateAsync(alice, Password)).Succeeded.Should().BeTrue();

        (await users.DeleteAsync(alice)).Succeeded.Should().BeTrue();

        (await users.FindByIdAsync(alice.Id)).Should().BeNull();
        (await users.FindByEmailAsync("ALICE@SHOP.EXAMPLE")).Should().BeNull();
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(alice.Token!.Value))).Should().BeNull();
        var documents = () => host.Services.GetRequiredService<IAppDataManager>().ListAsync(alice.Token.Value);
        await documents.Should().ThrowAsync<PersonNotFoundException>("the person and their Identity document are erased");
    }

    [Test]
    public async Task ForgettingThePerson_OrLettingTheirExpirationRun_DeletesTheUser()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var alice = new DatabunkerUser("alice") { Email = "alice@shop.example" };
        var bob = new DatabunkerUser("bob") { Email = "bob@shop.example" };
        (await users.CreateAsync(alice, Password)).Succeeded.Should().BeTrue();
        (await users.CreateAsync(bob, Password)).Succeeded.Should().BeTrue();

        (await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(alice.Token!.Value))).Should().BeTrue();
        (await users.FindByNameAsync("ALICE")).Should().BeNull();

        await host.Expirations.StartAsync(PersonLookup.ByToken(bob.Token!.Value), TimeSpan.FromDays(30));
        host.Time.Advance(TimeSpan.FromDays(31));
        await host.Administration.RunDueWorkAsync();
        (await users.FindByNameAsync("BOB")).Should().BeNull("nobody answered the expiration's links");
        (await users.CreateAsync(new DatabunkerUser("bob") { Email = "bob@shop.example" })).Succeeded.Should().BeTrue("the name and address are free again");
    }

    [Test]
    public async Task Passwords_AreCheckedAndChanged_AndAChangeMovesTheSecurityStamp()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var alice = new DatabunkerUser("alice");
        (await users.CreateAsync(alice, Password)).Succeeded.Should().BeTrue();
        var stamp = alice.SecurityStamp;

        var stored = await users.FindByNameAsync("ALICE");
        (await users.HasPasswordAsync(stored!)).Should().BeTrue();
        (await users.CheckPasswordAsync(stored!, Password)).Should().BeTrue();
        (await users.CheckPasswordAsync(stored!, "Wrong-Horse-9")).Should().BeFalse();

        (await users.ChangePasswordAsync(stored!, Password, "Battery-Staple-7")).Succeeded.Should().BeTrue();
        var changed = await users.FindByNameAsync("ALICE");
        (await users.CheckPasswordAsync(changed!, "Battery-Staple-7")).Should().BeTrue();
        (await users.CheckPasswordAsync(changed!, Password)).Should().BeFalse();
        changed!.SecurityStamp.Should().NotBe(stamp);

        (await users.RemovePasswordAsync(changed)).Succeeded.Should().BeTrue();
        (await users.HasPasswordAsync((await users.FindByNameAsync("ALICE"))!)).Should().BeFalse();
    }

    [Test]
    public async Task Lockout_CountsFailures_LocksTheUserOut_AndKeepsItAcrossReads()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var alice = new DatabunkerUser("alice");
        (await users.CreateAsync(alice, Password)).Succeeded.Should().BeTrue();
        (await users.GetLockoutEnabledAsync(alice)).Should().BeTrue("Identity enables lockout for new users");

        for (var i = 0; i < 4; i++)
        {
            (await users.AccessFailedAsync((await users.FindByIdAsync(alice.Id))!)).Succeeded.Should().BeTrue();
        }

        var fourTimes = await users.FindByIdAsync(alice.Id);
        (await users.GetAccessFailedCountAsync(fourTimes!)).Should().Be(4);
        (await users.IsLockedOutAsync(fourTimes!)).Should().BeFalse();

        await users.AccessFailedAsync(fourTimes!);
        var locked = await users.FindByIdAsync(alice.Id);
        (await users.IsLockedOutAsync(locked!)).Should().BeTrue("the fifth failure locks the user out");
        (await users.GetAccessFailedCountAsync(locked!)).Should().Be(0, "the count starts over once the user is locked out");
        locked!.LockoutEnd.Should().BeAfter(DateTimeOffset.UnixEpoch);

        (await users.SetLockoutEndDateAsync(locked, DateTimeOffset.UnixEpoch)).Succeeded.Should().BeTrue();
        (await users.IsLockedOutAsync((await users.FindByIdAsync(alice.Id))!)).Should().BeFalse();
    }

    [Test]
    public async Task TwoFactor_AuthenticatorKey_AndRecoveryCodes_EachCodeOnce()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var alice = new DatabunkerUser("alice");
        (await users.CreateAsync(alice, Password)).Succeeded.Should().BeTrue();

        (await users.ResetAuthenticatorKeyAsync(alice)).Succeeded.Should().BeTrue();
        var reread = await users.FindByIdAsync(alice.Id);
        var key = await users.GetAuthenticatorKeyAsync(reread!);
        key.Should().NotBeNullOrEmpty();
        (await users.VerifyTwoFactorTokenAsync(reread!, TokenOptions.DefaultAuthenticatorProvider, Totp.Code(key!))).Should().BeTrue();
        (await users.VerifyTwoFactorTokenAsync(reread!, TokenOptions.DefaultAuthenticatorProvider, "000000")).Should().BeFalse();
        (await users.SetTwoFactorEnabledAsync(reread!, true)).Succeeded.Should().BeTrue();

        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(reread!, 10))!.ToList();
        codes.Should().HaveCount(10);
        var withCodes = await users.FindByIdAsync(alice.Id);
        (await users.GetTwoFactorEnabledAsync(withCodes!)).Should().BeTrue();
        (await users.CountRecoveryCodesAsync(withCodes!)).Should().Be(10);
        (await users.RedeemTwoFactorRecoveryCodeAsync(withCodes!, codes[3])).Succeeded.Should().BeTrue();
        var afterOne = await users.FindByIdAsync(alice.Id);
        (await users.CountRecoveryCodesAsync(afterOne!)).Should().Be(9);
        (await users.RedeemTwoFactorRecoveryCodeAsync(afterOne!, codes[3])).Succeeded.Should().BeFalse("a recovery code works once");
    }

    [Test]
    public async Task ExternalLogins_FindTheUser_OneLoginPerUser()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var alice = new DatabunkerUser("alice");
        (await users.CreateAsync(alice)).Succeeded.Should().BeTrue();
        var bob = new DatabunkerUser("bob");
        (await users.CreateAsync(bob)).Succeeded.Should().BeTrue();

        (await users.AddLoginAsync(alice, new UserLoginInfo("Contoso", "c-123", "Contoso ID"))).Succeeded.Should().BeTrue();
        var found = await users.FindByLoginAsync("Contoso", "c-123");
        found!.Id.Should().Be(alice.Id);
        (await users.GetLoginsAsync(found)).Should().ContainSingle().Which.ProviderDisplayName.Should().Be("Contoso ID");
        (await users.FindByLoginAsync("Contoso", "c-124")).Should().BeNull();
        (await users.FindByLoginAsync("Fabrikam", "c-123")).Should().BeNull();

        (await users.AddLoginAsync(bob, new UserLoginInfo("Contoso", "c-123", null))).Errors.Select(e => e.Code).Should().Equal("LoginAlreadyAssociated");
        (await users.AddLoginAsync(found, new UserLoginInfo("Fabrikam", "f-9", null))).Errors.Select(e => e.Code).Should().Equal("OneExternalLogin");
        found = await users.FindByIdAsync(alice.Id);
        (await users.GetLoginsAsync(found!)).Should().ContainSingle("the refused login was not kept");

        (await users.RemoveLoginAsync(found!, "Contoso", "c-123")).Succeeded.Should().BeTrue();
        (await users.FindByLoginAsync("Contoso", "c-123")).Should().BeNull();
        (await users.AddLoginAsync(bob, new UserLoginInfo("Contoso", "c-123", null))).Succeeded.Should().BeTrue("the login is free again");
        (await users.FindByLoginAsync("Contoso", "c-123"))!.Id.Should().Be(bob.Id);
    }

    [Test]
    public async Task Claims_Roles_AndAuthenticationTokens_AreKeptWithTheUser()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var alice = new DatabunkerUser("alice");
        (await users.CreateAsync(alice)).Succeeded.Should().BeTrue();

        (await users.AddClaimsAsync(alice, [new Claim("given_name", "Alice"), new Claim("level", "3", ClaimValueTypes.Integer)])).Succeeded.Should().BeTrue();
        (await users.ReplaceClaimAsync(alice, new Claim("given_name", "Alice"), new Claim("given_name", "Alicia"))).Succeeded.Should().BeTrue();
        (await users.AddToRoleAsync(alice, "Admin")).Succeeded.Should().BeTrue();
        (await users.AddToRolesAsync(alice, ["Editor", "Viewer"])).Succeeded.Should().BeTrue();
        (await users.AddToRoleAsync(alice, "admin")).Errors.Select(e => e.Code).Should().Equal("UserAlreadyInRole");
        (await users.RemoveFromRoleAsync(alice, "Viewer")).Succeeded.Should().BeTrue();
        (await users.SetAuthenticationTokenAsync(alice, "Contoso", "refresh", "r-1")).Succeeded.Should().BeTrue();
        (await users.SetAuthenticationTokenAsync(alice, "Contoso", "refresh", "r-2")).Succeeded.Should().BeTrue();

        var stored = await users.FindByIdAsync(alice.Id);
        (await users.GetClaimsAsync(stored!)).Select(c => (c.Type, c.Value, c.ValueType)).Should().BeEquivalentTo(
            [("given_name", "Alicia", ClaimValueTypes.String), ("level", "3", ClaimValueTypes.Integer)]);
        (await users.IsInRoleAsync(stored!, "ADMIN")).Should().BeTrue();
        (await users.IsInRoleAsync(stored!, "viewer")).Should().BeFalse();
        (await users.GetRolesAsync(stored!)).Should().BeEquivalentTo(["ADMIN", "EDITOR"], "Identity hands the store normalised role names");
        (await users.GetAuthenticationTokenAsync(stored!, "Contoso", "refresh")).Should().Be("r-2");

        (await users.RemoveClaimAsync(stored!, new Claim("level", "3"))).Succeeded.Should().BeTrue();
        (await users.RemoveAuthenticationTokenAsync(stored!, "Contoso", "refresh")).Succeeded.Should().BeTrue();
        var after = await users.FindByIdAsync(alice.Id);
        (await users.GetClaimsAsync(after!)).Select(c => c.Value).Should().Equal("Alicia");
        (await users.GetAuthenticationTokenAsync(after!, "Contoso", "refresh")).Should().BeNull();

        var listing = () => users.GetUsersInRoleAsync("Admin");
        await listing.Should().ThrowAsync<NotSupportedException>().WithMessage("*never by scanning*");
    }

    [Test]
    public async Task APersonMadeOutsideIdentity_IsAUser_WhoCanBeGivenAPassword_WhenPersonsAreAdopted()
    {
        await using var host = await StartAsync(identity: o => o.AdoptPersons = true);
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var imported = await host.Vault.CreatePersonAsync(System.Text.Json.JsonSerializer.SerializeToElement(new { email = "imported@shop.example", name = "Imogen" }));

        var user = await users.FindByEmailAsync("IMPORTED@SHOP.EXAMPLE");
        user!.Id.Should().Be(imported.ToString());
        user.Name.Should().Be("Imogen");
        (await users.HasPasswordAsync(user)).Should().BeFalse();

        (await users.SetUserNameAsync(user, "imogen")).Succeeded.Should().BeTrue();
        (await users.AddPasswordAsync(user, Password)).Succeeded.Should().BeTrue();
        var signedUp = await users.FindByNameAsync("IMOGEN");
        (await users.CheckPasswordAsync(signedUp!, Password)).Should().BeTrue();
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(imported)))!.Profile.GetProperty("name").GetString().Should().Be("Imogen", "members the store does not own are kept");
    }

    [Test]
    public void AddDatabunkerStores_RefusesAnotherUserType()
    {
        var services = new ServiceCollection();
        var act = () => services.AddIdentityCore<IdentityUser>().AddDatabunkerStores();
        act.Should().Throw<InvalidOperationException>().WithMessage("*DatabunkerUser*");
    }

    [Test]
    public async Task ProtectPersonalData_IsRefused_TheVaultSealsEveryValueAlready()
    {
        await using var host = await VaultHost.StartAsync(store: _store, services: services =>
            services.AddIdentityCore<DatabunkerUser>(o => o.Stores.ProtectPersonalData = true).AddDatabunkerStores());
        using var scope = host.Services.CreateScope();

        var act = () => Users(scope);

        act.Should().Throw<InvalidOperationException>("Identity's protection would hide the email from the vault's index");
    }

    [Test]
    public async Task TheExport_AndShareLinks_WithholdTheSignInSecrets_AndShowTheRest()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var alice = new DatabunkerUser("alice") { Email = "alice@shop.example" };
        (await users.CreateAsync(alice, Password)).Succeeded.Should().BeTrue();
        await users.ResetAuthenticatorKeyAsync(alice);
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(alice, 10))!.ToList();
        await users.SetAuthenticationTokenAsync(alice, "Contoso", "refresh", "REFRESH-SECRET");
        await users.AddClaimAsync(alice, new Claim("plan", "gold"));
        var stored = await users.FindByIdAsync(alice.Id);

        using var stream = new MemoryStream();
        await host.Services.GetRequiredService<Databunker.Core.Export.IPersonExporter>().ExportAsync(alice.Token!.Value, stream);
        var export = Encoding.UTF8.GetString(stream.ToArray());

        foreach (var secret in new[] { stored!.PasswordHash!, stored.SecurityStamp!, (await users.GetAuthenticatorKeyAsync(stored))!, codes[0], "REFRESH-SECRET" })
        {
            export.Should().NotContain(secret, "whoever controls the mailbox can export through the portal; a secret would sign in as the person");
        }

        var data = System.Text.Json.JsonDocument.Parse(export).RootElement.GetProperty("appData").EnumerateArray().Single().GetProperty("data");
        data.GetProperty("passwordHash").GetString().Should().Be("withheld");
        data.GetProperty("recoveryCodes").GetString().Should().Be("withheld");
        data.GetProperty("claims").EnumerateArray().Single().GetProperty("value").GetString().Should().Be("gold", "what is not a credential is the person's to see");
        data.GetProperty("lockoutEnabled").GetBoolean().Should().BeTrue();

        var shares = host.Services.GetRequiredService<Databunker.Core.Shares.IShareLinkManager>();
        var share = await shares.CreateAsync(alice.Token.Value, new Databunker.Core.Shares.ShareRequest { Recipient = "auditor", App = "identity", Fields = ["/passwordHash"] });
        (await shares.RedeemAsync(share.Token)).Record!.Fields.GetRawText().Should().NotContain(stored.PasswordHash!).And.Contain("withheld");
    }

    [Test]
    public async Task ACreateWhoseDocumentIsRefused_LeavesNoPersonBehind()
    {
        // The host registered the application itself, too small for a document with a password hash.
        await using var host = await StartAsync(o => o.AppData.Register("identity", maxDocumentBytes: 64));
        using var scope = host.Services.CreateScope();
        var users = Users(scope);

        var result = await users.CreateAsync(new DatabunkerUser("alice") { Email = "alice@shop.example" }, Password);

        result.Succeeded.Should().BeFalse();
        (await host.Vault.GetPersonAsync(PersonLookup.ByEmail("alice@shop.example"))).Should().BeNull("the person made first is forgotten again");
        (await users.FindByNameAsync("ALICE")).Should().BeNull();
    }

    [Test]
    public async Task AnUpdateWhoseProfileIsRefused_AfterItsDocumentWasWritten_PutsTheDocumentBack()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var alice = new DatabunkerUser("alice") { Email = "alice@shop.example" };
        (await users.CreateAsync(alice, Password)).Succeeded.Should().BeTrue();

        var copy = await users.FindByIdAsync(alice.Id);
        copy!.Name = new string('n', 2 * 1024 * 1024);
        copy.EmailConfirmed = true;
        var result = await users.UpdateAsync(copy);

        result.Succeeded.Should().BeFalse("the profile is over the vault's limit, which no check before the write sees");
        var now = await users.FindByIdAsync(alice.Id);
        now!.EmailConfirmed.Should().BeFalse("the document written before the profile was put back");
        now.Name.Should().BeNull();
        (await users.CheckPasswordAsync(now, Password)).Should().BeTrue();
        copy.Name = "Alice";
        (await users.UpdateAsync(copy)).Succeeded.Should().BeTrue("the copy's stamp follows the put-back document");
    }

    [Test]
    public async Task ACopyWithoutAStampFromTheStore_CannotOverwriteTheUser()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var alice = new DatabunkerUser("alice") { Email = "alice@shop.example" };
        (await users.CreateAsync(alice, Password)).Succeeded.Should().BeTrue();

        foreach (var stamp in new string?[] { null, "", Guid.NewGuid().ToString() })
        {
            var detached = new DatabunkerUser("alice") { Id = alice.Id, NormalizedUserName = "ALICE", SecurityStamp = "STAMP", ConcurrencyStamp = stamp };
            (await users.UpdateAsync(detached)).Errors.Select(e => e.Code).Should().Equal("ConcurrencyFailure");
            (await users.DeleteAsync(detached)).Errors.Select(e => e.Code).Should().Equal("ConcurrencyFailure");
        }

        (await users.CheckPasswordAsync((await users.FindByIdAsync(alice.Id))!, Password)).Should().BeTrue("the password hash is where it was");
    }

    [Test]
    public async Task AnAdoptedPerson_GetsASecurityStampAndLockout_AndCanBeDeleted()
    {
        await using var host = await StartAsync(identity: o => o.AdoptPersons = true);
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var imported = await host.Vault.CreatePersonAsync(System.Text.Json.JsonSerializer.SerializeToElement(new { email = "imported@shop.example", login = "IMOGEN" }));

        var user = await users.FindByEmailAsync("IMPORTED@SHOP.EXAMPLE");
        user!.SecurityStamp.Should().NotBeNullOrEmpty("Identity's codes and cookie checks need one");
        (await users.GetLockoutEnabledAsync(user)).Should().BeTrue("password guessing is locked out as for any new user");
        var code = await users.GenerateEmailConfirmationTokenAsync(user);
        (await users.ConfirmEmailAsync(user, code)).Succeeded.Should().BeTrue();
        (await users.FindByNameAsync("IMOGEN"))!.SecurityStamp.Should().Be(user.SecurityStamp, "the stamp is given once, then kept");

        var fresh = await users.FindByIdAsync(imported.ToString());
        (await users.DeleteAsync(fresh!)).Succeeded.Should().BeTrue();
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(imported))).Should().BeNull();
    }

    [Test]
    public async Task ANameTheVaultWouldNotHold_FindsNobody_InsteadOfFailing()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);

        (await users.FindByNameAsync("ALICE\u200B")).Should().BeNull();
        (await users.FindByNameAsync(new string('A', 5000))).Should().BeNull();
        (await users.FindByLoginAsync("Contoso", new string('k', 5000))).Should().BeNull();
        (await users.FindByEmailAsync("NOT AN ADDRESS")).Should().BeNull();
    }

    [Test]
    public async Task AnExternalLogin_NeverReplacesTheApplicationsOwnCustomIndex()
    {
        await using var host = await StartAsync(identity: o => o.AdoptPersons = true);
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var person = await host.Vault.CreatePersonAsync(System.Text.Json.JsonSerializer.SerializeToElement(new { login = "CRM-USER", custom = "crm-42" }));
        var user = await users.FindByIdAsync(person.ToString());

        (await users.AddLoginAsync(user!, new UserLoginInfo("Contoso", "c-1", null))).Errors.Select(e => e.Code).Should().Equal("ExternalLoginsOff");

        (await host.Vault.GetPersonAsync(PersonLookup.ByCustom("crm-42")))!.Token.Should().Be(person);
        (await users.SetUserNameAsync((await users.FindByIdAsync(person.ToString()))!, "crm-user-2")).Succeeded.Should().BeTrue();
        (await host.Vault.GetPersonAsync(PersonLookup.ByCustom("crm-42")))!.Token.Should().Be(person, "an update keeps the custom value");
    }

    [Test]
    public async Task APersonMadeOutsideIdentity_IsNobodyToIdentity_UnlessPersonsAreAdopted()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var person = await host.Vault.CreatePersonAsync(System.Text.Json.JsonSerializer.SerializeToElement(new { email = "customer@shop.example", login = "CUSTOMER" }));

        (await users.FindByEmailAsync("CUSTOMER@SHOP.EXAMPLE")).Should().BeNull("a sign-in, a reset or a confirmation mail never reaches a person who is not a user");
        (await users.FindByNameAsync("CUSTOMER")).Should().BeNull();
        (await users.FindByIdAsync(person.ToString())).Should().BeNull();
        (await host.Services.GetRequiredService<IAppDataManager>().ListAsync(person)).Should().BeEmpty("looking them up wrote nothing");
        (await users.CreateAsync(new DatabunkerUser("someone") { Email = "customer@shop.example" })).Errors.Select(e => e.Code).Should().Equal("DuplicateEmail");
    }

    [Test]
    public async Task AnEmailOrPhoneCorrectedOutsideIdentity_IsFoundByItsNewValue_AndIsNotConfirmed()
    {
        await using var host = await StartAsync();
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var alice = new DatabunkerUser("alice") { Email = "alice@shop.example", PhoneNumber = "+442079460958" };
        (await users.CreateAsync(alice, Password)).Succeeded.Should().BeTrue();
        await users.ConfirmEmailAsync(alice, await users.GenerateEmailConfirmationTokenAsync(alice));
        (await users.SetPhoneNumberAsync(alice, "+442079460958")).Succeeded.Should().BeTrue();
        alice.PhoneNumberConfirmed = true;
        (await users.UpdateAsync(alice)).Succeeded.Should().BeTrue();

        // A rectification by the DPO or in the privacy portal writes the profile only.
        await host.Vault.UpdatePersonAsync(PersonLookup.ByToken(alice.Token!.Value),
            System.Text.Json.JsonSerializer.SerializeToElement(new { email = "alice@corrected.example", phone = "+442079460959" }));

        var corrected = await users.FindByEmailAsync("ALICE@CORRECTED.EXAMPLE");
        corrected!.Id.Should().Be(alice.Id);
        corrected.EmailConfirmed.Should().BeFalse("the confirmation was of the old address");
        corrected.PhoneNumberConfirmed.Should().BeFalse("and of the old number");
        (await users.FindByEmailAsync("ALICE@SHOP.EXAMPLE")).Should().BeNull();
        var untouched = new DatabunkerUser("bob") { Email = "bob@shop.example" };
        (await users.CreateAsync(untouched)).Succeeded.Should().BeTrue();
        await users.ConfirmEmailAsync(untouched, await users.GenerateEmailConfirmationTokenAsync(untouched));
        (await users.FindByEmailAsync("BOB@SHOP.EXAMPLE"))!.EmailConfirmed.Should().BeTrue("an address nobody corrected stays confirmed");
    }

    [Test]
    public async Task Roles_DeclaredInTheOptions_AreCreatedAndCarriedByTheirNames_IntoTheSignInsClaims()
    {
        await using var host = await StartAsync(identity: o => { o.Roles.Add("Admin"); o.Roles.Add("Editor"); }, roles: true);
        using var scope = host.Services.CreateScope();
        var users = Users(scope);
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();

        (await roles.RoleExistsAsync("Admin")).Should().BeTrue("seeding code that creates a role unless it exists keeps working");
        (await roles.CreateAsync(new IdentityRole("Admin"))).Errors.Select(e => e.Code).Should().Equal("DuplicateRoleName");
        (await roles.CreateAsync(new IdentityRole("Hacker"))).Errors.Select(e => e.Code).Should().Equal("RoleNotDeclared");
        (await roles.RoleExistsAsync("editor")).Should().BeTrue();
        (await roles.RoleExistsAsync("Hacker")).Should().BeFalse();
        var alice = new DatabunkerUser("alice");
        (await users.CreateAsync(alice, Password)).Succeeded.Should().BeTrue();
        (await users.AddToRoleAsync(alice, "admin")).Succeeded.Should().BeTrue();

        var stored = await users.FindByIdAsync(alice.Id);
        (await users.GetRolesAsync(stored!)).Should().Equal("Admin");
        var principal = await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<DatabunkerUser>>().CreateAsync(stored!);
        principal.IsInRole("Admin").Should().BeTrue("[Authorize(Roles = \"Admin\")] compares the role's name exactly");
        (await roles.DeleteAsync((await roles.FindByNameAsync("Admin"))!)).Succeeded.Should().BeFalse("roles change in the options, not at run time");
        var typo = () => users.AddToRoleAsync(stored!, "Admn");
        await typo.Should().ThrowAsync<InvalidOperationException>("as with Identity's own store, a role that does not exist is refused");
    }

    [Test]
    public async Task ExternalLoginsTurnedOffLater_DoNotStopTheUsersOtherUpdates_SoLockoutStillCounts()
    {
        string id;
        await using (var host = await StartAsync())
        {
            using var scope = host.Services.CreateScope();
            var users = Users(scope);
            var alice = new DatabunkerUser("alice");
            (await users.CreateAsync(alice, Password)).Succeeded.Should().BeTrue();
            (await users.AddLoginAsync(alice, new UserLoginInfo("Contoso", "c-1", null))).Succeeded.Should().BeTrue();
            id = alice.Id;
            await using var later = await VaultHost.StartAsync(store: _store, database: host.Database, masterKey: host.MasterKey, services: services =>
                services.AddIdentityCore<DatabunkerUser>().AddDatabunkerStores(o => o.IndexExternalLogin = false));
            using var laterScope = later.Services.CreateScope();
            var laterUsers = Users(laterScope);
            var user = await laterUsers.FindByIdAsync(id);

            (await laterUsers.AccessFailedAsync(user!)).Succeeded.Should().BeTrue("a failed sign-in is counted whatever the logins");
            (await laterUsers.GetAccessFailedCountAsync((await laterUsers.FindByIdAsync(id))!)).Should().Be(1);
            (await laterUsers.AddLoginAsync((await laterUsers.FindByIdAsync(id))!, new UserLoginInfo("Fabrikam", "f-1", null))).Errors.Select(e => e.Code).Should().Equal("ExternalLoginsOff");

            // Turned on again: the login was kept in the index through the updates made while it was off.
            await using var again = await VaultHost.StartAsync(store: _store, database: host.Database, masterKey: host.MasterKey, services: services =>
                services.AddIdentityCore<DatabunkerUser>().AddDatabunkerStores());
            using var againScope = again.Services.CreateScope();
            (await Users(againScope).FindByLoginAsync("Contoso", "c-1"))!.Id.Should().Be(id);
        }
    }

    [Test]
    public async Task ARetentionOnTheIdentityDocuments_IsRefusedAtStartUp()
    {
        var start = () => StartAsync(o => o.AppData.Register("identity", retention: TimeSpan.FromDays(365)));

        await start.Should().ThrowAsync<InvalidOperationException>().WithMessage("*retention would delete their passwords*");
    }

    private Task<VaultHost> StartAsync(Action<DatabunkerOptions>? configure = null, Action<DatabunkerIdentityOptions>? identity = null, bool roles = false) =>
        VaultHost.StartAsync(configure, store: _store, services: services =>
    {
        var builder = services.AddIdentityCore<DatabunkerUser>();
        if (roles)
        {
            builder.AddRoles<IdentityRole>();
        }

        builder
            .AddDatabunkerStores(identity)
            .AddTokenProvider<AuthenticatorTokenProvider<DatabunkerUser>>(TokenOptions.DefaultAuthenticatorProvider)
            .AddTokenProvider<EmailTokenProvider<DatabunkerUser>>(TokenOptions.DefaultEmailProvider);
        services.Configure<IdentityOptions>(o =>
        {
            o.Tokens.ChangeEmailTokenProvider = TokenOptions.DefaultEmailProvider;
            o.Tokens.EmailConfirmationTokenProvider = TokenOptions.DefaultEmailProvider;
        });
    });

    private static UserManager<DatabunkerUser> Users(IServiceScope scope) => scope.ServiceProvider.GetRequiredService<UserManager<DatabunkerUser>>();
}
