using Databunker.Core.Identity;
using Databunker.Core.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

using static Databunker.Core.Tests.Tool.ToolSupport;

namespace Databunker.Core.Tests.Tool;

/// <summary>
/// Consolidation of an application that keeps its users in ASP.NET Core Identity's own tables (issue 33): <c>databunker
/// import</c> moves <c>AspNetUsers</c> into the vault, each user's password hash, stamps and flags into the Identity
/// document that <c>Databunker.Core.Identity</c> reads, so that every user signs in with the password they had.
/// </summary>
[TestFixture]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class IdentityImportTests
{
    private static readonly string[] Maps =
    [
        "--id", "Id",
        "--map", "NormalizedUserName=login", "--map", "UserName=userName", "--map", "Email=email", "--map", "PhoneNumber=phone",
        "--map", "NormalizedEmail=app:identity/normalizedEmail", "--map", "EmailConfirmed=app:identity/emailConfirmed",
        "--credential", "PasswordHash=app:identity/passwordHash", "--credential", "SecurityStamp=app:identity/securityStamp",
        "--map", "PhoneNumberConfirmed=app:identity/phoneNumberConfirmed",
        "--map", "LockoutEnd=app:identity/lockoutEnd", "--map", "LockoutEnabled=app:identity/lockoutEnabled",
        "--map", "AccessFailedCount=app:identity/accessFailedCount",
    ];

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task AspNetUsers_MoveIntoTheVault_AndEachUserSignsInWithTheirOwnPassword()
    {
        var (folder, vault, key) = await NewVaultAsync("identity-import");
        var app = Path.Combine(folder, "app.db");
        var hasher = new PasswordHasher<DatabunkerUser>();
        var annHash = hasher.HashPassword(new DatabunkerUser(), "Ann-Password-1");
        Execute(app, $"""
            CREATE TABLE "AspNetUsers" ("Id" TEXT NOT NULL PRIMARY KEY, "UserName" TEXT NULL, "NormalizedUserName" TEXT NULL, "Email" TEXT NULL,
              "NormalizedEmail" TEXT NULL, "EmailConfirmed" INTEGER NOT NULL, "PasswordHash" TEXT NULL, "SecurityStamp" TEXT NULL,
              "ConcurrencyStamp" TEXT NULL, "PhoneNumber" TEXT NULL, "PhoneNumberConfirmed" INTEGER NOT NULL, "TwoFactorEnabled" INTEGER NOT NULL,
              "LockoutEnd" TEXT NULL, "LockoutEnabled" INTEGER NOT NULL, "AccessFailedCount" INTEGER NOT NULL);
            CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id TEXT NOT NULL REFERENCES "AspNetUsers" ("Id"), total REAL NOT NULL);
            INSERT INTO "AspNetUsers" VALUES ('7d3c1f1e-0a4b-4c55-9d86-1f2e3a4b5c6d', 'ann@app.example', 'ANN@APP.EXAMPLE', 'ann@app.example', 'ANN@APP.EXAMPLE', 1,
              '{annHash}', 'STAMPANN', 'c1', '+447700900001', 1, 0, NULL, 1, 2);
            INSERT INTO "AspNetUsers" VALUES ('1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9', 'ben', 'BEN', 'ben@app.example', 'BEN@APP.EXAMPLE', 1,
              '{hasher.HashPassword(new DatabunkerUser(), "Ben-Password-2")}', 'STAMPBEN', 'c2', NULL, 0, 0, '2099-01-01 00:00:00+00:00', 1, 0);
            INSERT INTO "AspNetUsers" VALUES ('00000000-1111-4222-8333-444444444444', 'cat@app.example', 'CAT@APP.EXAMPLE', 'cat@app.example', 'CAT@APP.EXAMPLE', 0,
              NULL, 'STAMPCAT', 'c3', NULL, 0, 0, NULL, 1, 0);
            INSERT INTO orders (user_id, total) VALUES ('7d3c1f1e-0a4b-4c55-9d86-1f2e3a4b5c6d', 12.5), ('1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9', 40);
            """);
        var before = await RunAsync("scan", "--sqlite", $"Data Source={app}", "--full");
        before.Code.Should().Be(1, "Identity's table holds emails and phone numbers: " + before.Output);

        var (code, output, error) = await RunAsync(
            ["import", "--name", "aspnetusers", "--from-sqlite", $"Data Source={app}", "--table", "AspNetUsers", .. Maps, "--write-back", "vault_token", "--verify",
             "--sqlite", $"Data Source={vault}", "--key-file", key]);
        code.Should().Be(0, error);
        output.Should().Contain("created 3 person(s)").And.Contain("3 the same in the vault");

        // Before any user signed in: the imported documents name their credentials, and an export withholds them.
        var early = await RunAsync("export", "--email", "ann@app.example", "--sqlite", $"Data Source={vault}", "--key-file", key);
        early.Code.Should().Be(0, early.Error);
        early.Output.Should().NotContain(annHash).And.NotContain("STAMPANN").And.Contain("withheld").And.Contain("accessFailedCount");

        // The application points its own rows at the tokens, then drops Identity's table.
        Execute(app, """
            PRAGMA foreign_keys = OFF;
            UPDATE orders SET user_id = (SELECT vault_token FROM "AspNetUsers" WHERE "Id" = orders.user_id);
            DROP TABLE "AspNetUsers";
            """);
        var after = await RunAsync("scan", "--sqlite", $"Data Source={app}", "--full");
        after.Code.Should().Be(0, "the application's database holds no personal data of its users: " + after.Output);

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDatabunker().UseSqlite($"Data Source={vault}").UseMasterKeyFromFile(key);
        services.AddIdentityCore<DatabunkerUser>().AddDatabunkerStores();
        await using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<DatabunkerUser>>();

        var ann = await users.FindByEmailAsync("ANN@APP.EXAMPLE");
        ann!.UserName.Should().Be("ann@app.example");
        (await users.CheckPasswordAsync(ann, "Ann-Password-1")).Should().BeTrue("the password hash moved with the user");
        (await users.CheckPasswordAsync(ann, "Ben-Password-2")).Should().BeFalse();
        ann.EmailConfirmed.Should().BeTrue();
        ann.PhoneNumber.Should().Be("+447700900001");
        ann.PhoneNumberConfirmed.Should().BeTrue();
        ann.AccessFailedCount.Should().Be(2);
        ann.SecurityStamp.Should().Be("STAMPANN", "the security stamp moves with the user");
        using (var connection = Open(app))
        {
            Scalar(connection, "SELECT user_id FROM orders WHERE total = 12.5").Should().Be(ann.Id, "the order names the user by the token");
        }

        var ben = await users.FindByNameAsync("BEN");
        (await users.CheckPasswordAsync(ben!, "Ben-Password-2")).Should().BeTrue();
        (await users.IsLockedOutAsync(ben!)).Should().BeTrue("EF Core's text for the lockout's end is read as a time");
        var cat = await users.FindByEmailAsync("CAT@APP.EXAMPLE");
        cat!.EmailConfirmed.Should().BeFalse();
        (await users.HasPasswordAsync(cat)).Should().BeFalse();
        (await users.AddPasswordAsync(cat, "Cat-Password-3")).Succeeded.Should().BeTrue("an imported user is updated like any other");

        // Cat's document was written by the store when she was given a password (it names all of Identity's credentials):
        // the tool's export, a process that knows nothing of Identity, withholds her new hash too.
        var catHash = (await users.FindByEmailAsync("CAT@APP.EXAMPLE"))!.PasswordHash!;
        var export = await RunAsync("export", "--token", cat.Id, "--sqlite", $"Data Source={vault}", "--key-file", key);
        export.Code.Should().Be(0, export.Error);
        export.Output.Should().NotContain(catHash).And.NotContain("STAMPCAT").And.Contain("withheld");
        SqliteConnection.ClearAllPools();
    }
}
