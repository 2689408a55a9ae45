using System.Security.Cryptography;
using Databunker.Core.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>
/// The vault's Identity store under <c>AddIdentity&lt;DatabunkerUser, IdentityRole&gt;()</c>, the registration that brings
/// roles, cookies and the sign-in manager (issue 33): the container builds, and a user signs in with a declared role.
/// </summary>
public sealed class IdentityRegistrationTests
{
    [Test]
    public async Task AddIdentityWithRoles_Builds_AndTheSignInCarriesTheDeclaredRole()
    {
        var database = Path.Combine(TestContext.CurrentContext.WorkDirectory, "vaults", $"{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDatabunker().UseSqlite($"Data Source={database}").UseMasterKey(RandomNumberGenerator.GetBytes(32));
        services.AddIdentity<DatabunkerUser, IdentityRole>().AddDatabunkerStores(o => o.Roles.Add("Admin")).AddDefaultTokenProviders();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        await provider.GetRequiredService<IVaultAdministration>().InitializeAsync();
        using var scope = provider.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<DatabunkerUser>>();
        var alice = new DatabunkerUser("alice") { Email = "alice@shop.example" };
        (await users.CreateAsync(alice, "Correct-Horse-9")).Succeeded.Should().BeTrue();
        (await users.AddToRoleAsync(alice, "ADMIN")).Succeeded.Should().BeTrue();

        var principal = await scope.ServiceProvider.GetRequiredService<SignInManager<DatabunkerUser>>().CreateUserPrincipalAsync((await users.FindByNameAsync("ALICE"))!);

        principal.IsInRole("Admin").Should().BeTrue();
        principal.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value.Should().Be(alice.Id, "the user's id is the person's token");
    }
}
