using System.Security.Cryptography;
using System.Text.Json;
using Databunker.Core.Privacy;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Databunker.Tool;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

using static Databunker.Core.Tests.Tool.ToolSupport;

namespace Databunker.Core.Tests.Tool;

/// <summary>
/// The walk-through of docs/consolidation.md, step by step, with its commands: a shop's users and orders tables are
/// scanned (personal data found), the users imported and cleared, the orders' addresses tokenized for their owners, and
/// scanned again (nothing found); the shop's code then reads an order's address for delivery from the vault.
/// </summary>
[TestFixture]
[Category(TestStore.SqliteName)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ConsolidationWalkthroughTests
{
    [Test]
    public async Task TheWalkthrough_FindsTheShopsPersonalData_MovesIt_AndThenFindsNone()
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "vaults", "walkthrough-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var shop = Path.Combine(folder, "shop.db");
        var vault = Path.Combine(folder, "vault.db");
        var key = Path.Combine(folder, "master.key");
        CreateShop(shop);

        // 1. Scan: the shop's database holds emails, names, phones and addresses (the table as the page shows it).
        var before = await RunAsync("scan", "--sqlite", $"Data Source={shop}", "--region", "GB", "--full");
        before.Code.Should().Be(1);
        Lines(before.Output).Should().Equal(
            "Table   Column         Holds    Read  Matched  Confidence  Example           Found by",
            "orders  ship_street    Address     6        0  medium      -                 column name",
            "orders  ship_postcode  Address     6        0  medium      -                 column name",
            "users   email          Email       3        3  high        a**@****.*****le  values",
            "users   full_name      Name        3        0  medium      -                 column name",
            "users   phone          Phone       3        3  high        -                 column name and values",
            "Read 9 row(s) of 2 table(s): 5 column(s) hold personal data outside the vault.");

        // 2. A vault.
        (await RunAsync("key", "generate", "--file", key)).Code.Should().Be(0);
        (await RunAsync("init", "--sqlite", $"Data Source={vault}", "--key-file", key)).Code.Should().Be(0);
        string[] toVault = ["--sqlite", $"Data Source={vault}", "--key-file", key];

        // 3. Import the users: a person each, the token written back, the personal columns cleared once verified.
        var import = await RunAsync(
            ["import", "--name", "shop-users", "--from-sqlite", $"Data Source={shop}", "--table", "users",
             "--map", "email=email", "--map", "full_name=name", "--map", "phone=phone",
             "--mapping", Path.Combine(folder, "shop-users.csv"), "--write-back", "vault_token", "--null-source", .. toVault]);
        import.Code.Should().Be(0, import.Error);
        Lines(import.Output).Should().Equal(
            "Read 3 row(s): created 3 person(s), 0 already in the vault, 0 duplicate(s) and 0 refused left out, 0 with nothing to import.",
            "Verified 3 row(s): 3 the same in the vault, 0 differ, 0 not in the vault; cleared the mapped columns of 3 row(s).");

        // 4. Tokenize the orders' addresses for their owners.
        var tokenize = await RunAsync(
            ["tokenize", "--from-sqlite", $"Data Source={shop}", "--table", "orders", "--column", "ship_street", "--column", "ship_city", "--column", "ship_postcode",
             "--scope", "address", "--owner", "user_id", "--owner-import", "shop-users", .. toVault]);
        tokenize.Code.Should().Be(0, tokenize.Error);
        Lines(tokenize.Output).Should().Equal("Read 6 row(s) holding values: made 18 token(s) of scope address, 0 row(s) left as they are.");

        // 6. Scan again: nothing left.
        SqliteConnection.ClearAllPools();
        var after = await RunAsync("scan", "--sqlite", $"Data Source={shop}", "--region", "GB", "--full");
        after.Code.Should().Be(0, after.Output);
        Lines(after.Output).Should().Equal("Read 9 row(s) of 2 table(s): 0 column(s) hold personal data outside the vault.");

        // 5. The shop's code: sign-in finds the person by email, delivery reads an order's address for its purpose.
        var services = new ServiceCollection();
        services.AddDatabunker(o =>
        {
            o.Privacy.Activities.Add(new ProcessingActivity
            {
                Name = "account", Purpose = "Keeping your account", LegalBasis = LegalBasis.Contract,
                Fields = [new() { Path = "/email" }, new() { Path = "/name" }, new() { Path = "/phone" }],
            });
            o.Privacy.Activities.Add(new ProcessingActivity
            {
                Name = "delivery", Purpose = "Delivering orders", LegalBasis = LegalBasis.Contract,
                Fields = [new() { Path = "/name" }], TokenScopes = ["address"],
            });
        }).UseSqlite($"Data Source={vault}").UseMasterKeyFromFile(key);
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IPrivacyCatalog>().PublishAsync();
        var people = provider.GetRequiredService<IPersonalDataVault>();
        var ann = await people.ForPurpose("account").GetPersonAsync(PersonLookup.ByEmail("ann@shop.example"));
        ann!.Profile.GetProperty("name").GetString().Should().Be("Ann Archer");
        using var connection = new SqliteConnection($"Data Source={shop}");
        connection.Open();
        Scalar(connection, "SELECT vault_token FROM users WHERE id = 1").Should().Be(ann!.Token.ToString());
        var street = (string)Scalar(connection, "SELECT ship_street_token FROM orders WHERE id = 101")!;
        (await people.ForPurpose("delivery").DetokenizeAsync(street)).Should().Be("1 Mill Lane");
        var order = new[] { "ship_street_token", "ship_city_token", "ship_postcode_token" }.Select(c => (string)Scalar(connection, $"SELECT {c} FROM orders WHERE id = 104")!);
        (await people.ForPurpose("delivery").DetokenizeManyAsync(order)).Should().Equal("9 River Road", "Manchester", "M4 1DN");
        await FluentActions.Awaiting(() => provider.GetRequiredService<ITokenizer>().DetokenizeForPurposeAsync(street, "marketing"))
            .Should().ThrowAsync<PurposeNotAllowedException>();
    }

    /// <summary>The shop: three users, and six orders with the addresses they were shipped to.</summary>
    private static void CreateShop(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, full_name TEXT, phone TEXT, plan TEXT NOT NULL, created_at TEXT NOT NULL);
            CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), placed_at TEXT NOT NULL,
                                 total_cents INTEGER NOT NULL, ship_street TEXT, ship_city TEXT, ship_postcode TEXT);
            INSERT INTO users VALUES
                (1, 'ann@shop.example', 'Ann Archer', '+44 7700 900001', 'basic', '2024-03-01T10:00:00Z'),
                (2, 'bob@shop.example', 'Bob Baker', '+44 7700 900002', 'plus', '2024-05-17T08:30:00Z'),
                (3, 'cat@shop.example', 'Cat Cooper', '+44 7700 900003', 'basic', '2025-01-09T19:45:00Z');
            INSERT INTO orders VALUES
                (101, 1, '2024-03-02T09:00:00Z', 2599, '1 Mill Lane', 'Leeds', 'LS1 4AP'),
                (102, 1, '2024-08-11T16:20:00Z', 4999, '1 Mill Lane', 'Leeds', 'LS1 4AP'),
                (103, 2, '2024-05-18T12:00:00Z', 1299, '2 Canal Street', 'Manchester', 'M1 3HE'),
                (104, 2, '2025-02-01T10:10:00Z', 8999, '9 River Road', 'Manchester', 'M4 1DN'),
                (105, 3, '2025-01-10T18:00:00Z', 1999, '3 Park Row', 'Bristol', 'BS1 5LJ'),
                (106, 3, '2025-06-30T07:55:00Z', 3499, '3 Park Row', 'Bristol', 'BS1 5LJ');
            """;
        command.ExecuteNonQuery();
        SqliteConnection.ClearAllPools();
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
