using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Databunker.Core.AppData;
using Databunker.Core.Tests.Support;
using Databunker.Tool;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

using static Databunker.Core.Tests.Tool.ToolSupport;

namespace Databunker.Core.Tests.Tool;

/// <summary>
/// <c>databunker import</c> (issue 33, part 3): an application's users table becomes persons in the vault, the table gets
/// each row's token and loses its personal columns once the verify found them in the vault, and a run killed anywhere
/// resumes to exactly one person per row.
/// </summary>
[TestFixture]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ImportTests
{
    private string _folder = null!;
    private string _vault = null!;
    private string _key = null!;

    [SetUp]
    public async Task CreateVault() => (_folder, _vault, _key) = await NewVaultAsync("import");

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task ATable_BecomesAPersonPerRow_GetsItsTokens_AndLosesItsPersonalColumnsOnceVerified_SoThatAScanFindsNothing()
    {
        var app = Path.Combine(_folder, "app.db");
        CreateApplication(app, rows: 250);
        var mapping = Path.Combine(_folder, "mapping.csv");

        var (code, output, error) = await RunAsync(
            ["import", "--name", "users-2026", "--from-sqlite", $"Data Source={app}", "--table", "users",
             .. Maps, "--batch", "100", "--mapping", mapping, "--write-back", "vault_token", "--null-source", .. Vault]);

        code.Should().Be(0, error);
        output.Should().Contain("Read 250 row(s): created 250 person(s), 0 already in the vault, 0 duplicate(s) and 0 refused left out, 0 with nothing to import.");
        output.Should().Contain("Verified 250 row(s): 250 the same in the vault, 0 differ, 0 not in the vault; cleared the mapped columns of 250 row(s).");
        error.Should().Contain("imported 100 rows").And.Contain("verified 250 rows", "a pipe gets a plain line per batch");

        // The mapping and the written-back column name the same token for each row, and each token finds its person.
        var tokens = File.ReadAllLines(mapping).Skip(1).Select(l => l.Split(',')).ToDictionary(p => p[0], p => Guid.Parse(p[1]));
        tokens.Should().HaveCount(250);
        File.Exists(mapping + ".partial").Should().BeFalse();
        using (var connection = new SqliteConnection($"Data Source={app}"))
        {
            connection.Open();
            Scalar(connection, "SELECT COUNT(*) FROM users WHERE email IS NOT NULL OR full_name IS NOT NULL OR street IS NOT NULL").Should().Be(0L);
            Scalar(connection, "SELECT COUNT(*) FROM users WHERE vault_token IS NULL").Should().Be(0L);
            Scalar(connection, "SELECT vault_token FROM users WHERE id = 17").Should().Be(tokens["17"].ToString());
        }

        await using (var services = OpenVault(apps: "shop"))
        {
            var person = await services.GetRequiredService<IPersonalDataVault>().GetPersonAsync(PersonLookup.ByEmail("user17@app.example"));
            person!.Token.Should().Be(tokens["17"]);
            person.Profile.GetProperty("name").GetString().Should().Be("User 17");
            person.Profile.GetProperty("address").GetProperty("city").GetString().Should().Be("Leeds");
            person.Profile.GetProperty("phone").GetString().Should().Be("+44 7700 900017");
            (await services.GetRequiredService<IAppDataManager>().GetAsync(tokens["17"], "shop"))!.Data.GetProperty("street").GetString().Should().Be("17 Mill Lane");
        }

        SqliteConnection.ClearAllPools();
        var scan = await RunAsync("scan", "--sqlite", $"Data Source={app}", "--full", "--region", "GB");
        scan.Code.Should().Be(0, "the application's database holds no personal data any more: " + scan.Output);

        // Run again: every row is in the vault already; the cleared rows hold nothing to import.
        var again = await RunAsync(["import", "--name", "users-2026", "--from-sqlite", $"Data Source={app}", "--table", "users", .. Maps, .. Vault]);
        again.Code.Should().Be(0, again.Error);
        again.Output.Should().Contain("Read 250 row(s): created 0 person(s), 0 already in the vault, 0 duplicate(s) and 0 refused left out, 250 with nothing to import.");
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task TwoRowsWithOneEmail_AreReportedByIdOnly_AndTheSecondKeepsItsColumns()
    {
        var app = Path.Combine(_folder, "app.db");
        CreateApplication(app, rows: 10);
        Execute(app, "UPDATE users SET email = 'USER3@app.example' WHERE id = 8; UPDATE users SET email = 'not an address' WHERE id = 9;");

        var (code, output, _) = await RunAsync(
            ["import", "--name", "users", "--from-sqlite", $"Data Source={app}", "--table", "users", .. Maps, "--null-source", .. Vault]);

        code.Should().Be(1, "rows were left out");
        output.Should().MatchRegex(@"Row 8: duplicate email, held by person [0-9a-f-]{36}; left out, not merged\.");
        output.Should().Contain("Row 9: refused: The email address is malformed.");
        output.Should().NotContain("USER3").And.NotContain("user3").And.NotContain("not an address");
        output.Should().Contain("created 8 person(s), 0 already in the vault, 1 duplicate(s) and 1 refused left out");
        output.Should().Contain("Verified 10 row(s): 8 the same in the vault, 0 differ, 2 not in the vault; cleared the mapped columns of 8 row(s).");
        using var connection = new SqliteConnection($"Data Source={app}");
        connection.Open();
        Scalar(connection, "SELECT email FROM users WHERE id = 8").Should().Be("USER3@app.example", "a row left out keeps its data");
        Scalar(connection, "SELECT COUNT(*) FROM users WHERE email IS NULL").Should().Be(8L);
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task CsvAndJsonLinesFiles_AreImported_AndADryRunWritesNothing()
    {
        var csv = Path.Combine(_folder, "users.csv");
        await File.WriteAllTextAsync(csv,
            "id,email,full_name,street\n" +
            "1,ann@app.example,\"Ann, the first\",\"1 Mill Lane\"\n" +
            "2,bob@app.example,\"Bob \"\"Bobby\"\" Brown\",\"2 Mill Lane\nFlat 3\"\n" +
            "3,,,\n");
        var jsonLines = Path.Combine(_folder, "users.jsonl");
        await File.WriteAllTextAsync(jsonLines,
            "{\"id\": 10, \"email\": \"cat@app.example\", \"full_name\": \"Cat\", \"age\": 41}\n" +
            "\n" +
            "{\"id\": \"11\", \"email\": \"dan@app.example\", \"full_name\": null}\n");
        string[] map = ["--map", "email=email", "--map", "full_name=name", "--map", "street=app:shop/street"];

        var dry = await RunAsync(["import", "--name", "csv", "--from-csv", csv, .. map, "--dry-run", .. Vault]);
        dry.Code.Should().Be(0, dry.Error);
        dry.Output.Should().Contain("Read 3 row(s): Dry run, nothing written: would create 2 person(s)");
        await using (var services = OpenVault("shop"))
        {
            (await services.GetRequiredService<IPersonalDataVault>().GetPersonAsync(PersonLookup.ByEmail("ann@app.example"))).Should().BeNull();
        }

        var fromCsv = await RunAsync(["import", "--name", "csv", "--from-csv", csv, .. map, .. Vault]);
        fromCsv.Code.Should().Be(0, fromCsv.Error);
        fromCsv.Output.Should().Contain("created 2 person(s)").And.Contain("1 with nothing to import");
        var fromJson = await RunAsync(["import", "--name", "jsonl", "--from-jsonl", jsonLines, "--map", "email=email", "--map", "full_name=name", "--map", "age=age", "--verify", .. Vault]);
        fromJson.Code.Should().Be(0, fromJson.Error);
        fromJson.Output.Should().Contain("created 2 person(s)").And.Contain("Verified 2 row(s): 2 the same in the vault");

        await using (var services = OpenVault("shop"))
        {
            var vault = services.GetRequiredService<IPersonalDataVault>();
            var bob = await vault.GetPersonAsync(PersonLookup.ByEmail("bob@app.example"));
            bob!.Profile.GetProperty("name").GetString().Should().Be("Bob \"Bobby\" Brown");
            (await services.GetRequiredService<IAppDataManager>().GetAsync(bob.Token, "shop"))!.Data.GetProperty("street").GetString().Should().Be("2 Mill Lane\nFlat 3");
            (await vault.GetPersonAsync(PersonLookup.ByEmail("cat@app.example")))!.Profile.GetProperty("age").GetInt32().Should().Be(41, "a JSON number stays a number");
            (await vault.GetPersonAsync(PersonLookup.ByEmail("dan@app.example")))!.Profile.TryGetProperty("name", out _).Should().BeFalse("a null is left out");
        }
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task BadInput_IsRefusedWithExitCodeTwo_AndAMessageThatSaysWhat()
    {
        var app = Path.Combine(_folder, "app.db");
        CreateApplication(app, rows: 3);
        string[] source = ["--from-sqlite", $"Data Source={app}"];

        var unmapped = await RunAsync(["import", "--name", "x", .. source, "--table", "users", .. Vault]);
        unmapped.Code.Should().Be(2);
        unmapped.Error.Should().Contain("--map column=field");
        (await RunAsync(["import", "--name", "x", .. source, "--from-csv", app, "--table", "users", .. Maps, .. Vault])).Error.Should().Contain("exactly one of --from-sqlite");
        (await RunAsync(["import", "--name", "x", .. source, "--query", "SELECT * FROM users", .. Maps, "--write-back", "t", .. Vault])).Error.Should().Contain("name it with --table");
        (await RunAsync(["import", "--name", "x", .. source, "--table", "users", "--map", "email", .. Vault])).Error.Should().Contain("--map email is not column=field");
        (await RunAsync(["import", "--name", "x", .. source, "--table", "users", "--map", "email=email", "--map", "full_name=email", .. Vault])).Error.Should().Contain("already goes to email");
        (await RunAsync(["import", "--name", "x", .. source, "--table", "users", .. Maps, "--dry-run", "--mapping", "m.csv", .. Vault])).Error.Should().Contain("--dry-run writes nothing");
        (await RunAsync(["import", "--name", "x", .. source, "--table", "users", "--map", "email=email", "--map", "plan=app:shop/$credentials", .. Vault])).Error.Should().Contain("is written by --credential, never from a column");
        (await RunAsync(["import", "--name", "x", .. source, "--table", "users", "--map", "email=email", "--credential", "plan=name", .. Vault])).Error.Should().Contain("--credential plan=name is not column=app:NAME/member");
        (await RunAsync(["import", "--name", "x", .. source, "--table", "users", .. Maps, "--id", "missing", .. Vault])).Error.Should().Contain("could not be read");
        (await RunAsync(["import", "--name", "x", "--from-csv", Path.Combine(_folder, "absent.csv"), .. Maps, .. Vault])).Error.Should().Contain("does not exist");
        File.Exists(Path.Combine(_folder, "absent.csv")).Should().BeFalse();
    }

    [Test]
    [Category(TestStore.PostgreSqlName)]
    public async Task APostgreSqlTable_IsImportedAndWrittenBack_AsASqliteOneIs()
    {
        if (Environment.GetEnvironmentVariable("DATABUNKER_TEST_POSTGRES") is not { Length: > 0 } server)
        {
            TestStore.PostgreSql.NewDatabase(); // ignores the test, or fails it where PostgreSQL is required
            return;
        }

        var name = "import_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = NpgsqlDataSource.Create(server))
        {
            await admin.CreateCommand($"CREATE DATABASE {name};").ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        await using (var data = NpgsqlDataSource.Create(connectionString))
        {
            await data.CreateCommand(
                "CREATE SCHEMA shop; CREATE TABLE shop.users (id bigint PRIMARY KEY, email text, full_name text, street text, city char(10), phone text, joined date, " +
                "seen timestamp(3) with time zone, prefs json); " +
                "INSERT INTO shop.users SELECT i, 'user' || i || '@app.example', 'User ' || i, i || ' Mill Lane', 'Leeds', '+44 7700 900' || lpad(i::text, 3, '0'), DATE '2020-01-01' + i, " +
                "TIMESTAMPTZ '2025-01-01 10:00:00.123+00' + i * INTERVAL '1 hour', json_build_object('news', i % 2 = 0) FROM generate_series(1, 120) AS i;")
                .ExecuteNonQueryAsync();
        }

        Environment.SetEnvironmentVariable("DATABUNKER_IMPORT_SOURCE", connectionString);
        var (code, output, error) = await RunAsync(
            ["import", "--name", "pg", "--from-postgresql-env", "DATABUNKER_IMPORT_SOURCE", "--table", "shop.users", .. Maps, "--map", "joined=joined",
             "--map", "seen=seen", "--map", "prefs=app:shop/prefs",
             "--batch", "50", "--write-back", "vault_token", "--null-source", .. Vault]);

        code.Should().Be(0, error);
        output.Should().Contain("Read 120 row(s): created 120 person(s)").And.Contain("Verified 120 row(s): 120 the same in the vault");
        await using (var data = NpgsqlDataSource.Create(connectionString))
        {
            (await data.CreateCommand("SELECT COUNT(*) FROM shop.users WHERE email IS NULL AND vault_token IS NOT NULL AND joined IS NULL AND city IS NULL AND seen IS NULL AND prefs IS NULL")
                .ExecuteScalarAsync()).Should().Be(120L, "a char(10), a timestamp(3) with time zone and a json column are cleared after the verify too");
        }

        await using var services = OpenVault("shop");
        (await services.GetRequiredService<IPersonalDataVault>().GetPersonAsync(PersonLookup.ByEmail("user7@app.example")))!
            .Profile.GetProperty("joined").GetString().Should().Be("2020-01-08", "a date is written as ISO 8601");
    }

    /// <summary>
    /// The tool run as a process and killed (SIGKILL) ten times at random points of an import of 10,000 rows, with a verify
    /// and a clear, each run with another batch size: killed while it makes persons, or while it verifies and clears. The
    /// last run ends with exactly one person per row, every row's token written back, and every row cleared.
    /// </summary>
    [Test]
    [Category(TestStore.SqliteName)]
    [Category("faults")]
    public async Task AnImportKilledTenTimes_ResumesToExactlyOnePersonPerRow()
    {
        const int Rows = 10_000;
        var app = Path.Combine(_folder, "app.db");
        CreateApplication(app, rows: Rows);
        var tool = Path.Combine(Path.GetDirectoryName(typeof(DatabunkerTool).Assembly.Location)!, "databunker.dll");
        var random = new Random(TestContext.CurrentContext.Random.Next());
        string[] Args(int batch) =>
            ["import", "--name", "killed", "--from-sqlite", $"Data Source={app}", "--table", "users", .. Maps, "--batch", batch.ToString(CultureInfo.InvariantCulture),
             "--write-back", "vault_token", "--null-source", .. Vault];
        var killed = 0;
        var phases = new List<string>();
        while (killed < 10)
        {
            using var process = Start(tool, Args(random.GetItems([20, 25, 40, 50], 1)[0]));
            var wanted = random.Next(1, 6);
            var inVerify = random.Next(3) == 0;
            var seen = 0;
            var phase = string.Empty;
            while (seen < wanted && await process.StandardError.ReadLineAsync() is { } line)
            {
                // Count the points where this run changed something: persons made, or (a third of the runs) rows verified and cleared.
                if ((!inVerify && line.StartsWith("imported", StringComparison.Ordinal) && !line.Contains("created 0 ", StringComparison.Ordinal)) || line.StartsWith("verified", StringComparison.Ordinal))
                {
                    seen++;
                    phase = line.Split(' ')[0];
                }
            }

            if (process.HasExited || seen < wanted)
            {
                await process.WaitForExitAsync();
                break; // it finished before the kill
            }

            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            phases.Add($"{phase} (wanted {wanted}, verify {inVerify})");
            killed++;
        }

        using (var last = Start(tool, Args(60)))
        {
            var output = await last.StandardOutput.ReadToEndAsync();
            await last.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            last.ExitCode.Should().Be(0, output);
            output.Should().Contain($"Read {Rows} row(s):").And.Contain("0 duplicate(s) and 0 refused left out").And.Contain("0 differ, 0 not in the vault");
        }

        TestContext.Out.WriteLine($"killed {killed} times, while: {string.Join(", ", phases)}");
        killed.Should().Be(10);
        await using (var services = OpenVault())
        {
            (await services.GetRequiredService<IPersonalDataVault>().GetPersonAsync(PersonLookup.ByEmail("user9999@app.example"))).Should().NotBeNull();
        }

        using (var stored = new SqliteConnection($"Data Source={_vault};Mode=ReadOnly"))
        {
            stored.Open();
            Scalar(stored, "SELECT COUNT(*) FROM users").Should().Be((long)Rows, "each row is exactly one person");
        }

        using var connection = new SqliteConnection($"Data Source={app}");
        connection.Open();
        Scalar(connection, "SELECT COUNT(DISTINCT vault_token) FROM users").Should().Be((long)Rows);
        Scalar(connection, "SELECT COUNT(*) FROM users WHERE email IS NOT NULL OR full_name IS NOT NULL").Should().Be(0L);
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task ARowChangedAfterItsImport_IsNotCleared_AndAMalformedCsvRowIsNamedByItsLineOnly()
    {
        var app = Path.Combine(_folder, "app.db");
        CreateApplication(app, rows: 3);
        string[] import = ["import", "--name", "users", "--from-sqlite", $"Data Source={app}", "--table", "users", .. Maps, .. Vault];
        (await RunAsync(import)).Code.Should().Be(0);
        Execute(app, "UPDATE users SET full_name = 'Changed since' WHERE id = 1;");

        var (code, output, error) = await RunTerminalAsync([.. import, "--null-source"]);

        code.Should().Be(1, "a row differs");
        output.Should().Contain("Verified 3 row(s): 2 the same in the vault, 1 differ, 0 not in the vault; cleared the mapped columns of 2 row(s).");
        error.Should().Contain("\r[##############################]", "a terminal gets the bar, in the verify too");
        using (var connection = new SqliteConnection($"Data Source={app}"))
        {
            connection.Open();
            Scalar(connection, "SELECT full_name FROM users WHERE id = 1").Should().Be("Changed since", "a row that differs from the vault keeps its data");
            Scalar(connection, "SELECT COUNT(*) FROM users WHERE email IS NULL").Should().Be(2L);
        }

        var csv = Path.Combine(_folder, "broken.csv");
        await File.WriteAllTextAsync(csv, "id,email\n1,ann@app.example\n2,secret.person@app.example,extra\n");
        var broken = await RunAsync(["import", "--name", "csv", "--from-csv", csv, "--map", "email=email", .. Vault]);
        broken.Code.Should().Be(2);
        broken.Error.Should().Contain("malformed after line").And.NotContain("secret");
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task AnIdColumnThatIsNotUnique_OrHasNulls_IsRefusedBeforeAnythingIsRead()
    {
        var app = Path.Combine(_folder, "app.db");
        Execute(app, "CREATE TABLE people (code TEXT, email TEXT); INSERT INTO people VALUES ('a', 'a@app.example'), ('a', 'b@app.example'), (NULL, 'c@app.example');");

        var (code, _, error) = await RunAsync(["import", "--name", "people", "--from-sqlite", $"Data Source={app}", "--table", "people", "--id", "code", "--map", "email=email", .. Vault]);

        code.Should().Be(2);
        error.Should().Contain("must name each row once: 1 row(s) have no id, and 1 share one with another row");
        using var stored = new SqliteConnection($"Data Source={_vault};Mode=ReadOnly");
        stored.Open();
        Scalar(stored, "SELECT COUNT(*) FROM users").Should().Be(0L);
    }

    private static readonly string[] Maps =
    [
        "--map", "email=email", "--map", "full_name=name", "--map", "street=address/street", "--map", "city=address/city", "--map", "phone=phone",
        "--map", "street=app:shop/street",
    ];

    private string[] Vault => ["--sqlite", $"Data Source={_vault}", "--key-file", _key];

    private ServiceProvider OpenVault(string? apps = null)
    {
        var services = new ServiceCollection();
        services.AddDatabunker(o =>
        {
            if (apps is not null)
            {
                o.AppData.Register(apps);
            }
        }).UseSqlite($"Data Source={_vault}").UseMasterKeyFromFile(_key);
        return services.BuildServiceProvider();
    }

    /// <summary>An application's users table: id, email, name, street, city, phone, and the plan they are on (not personal).</summary>
    private static void CreateApplication(string path, int rows)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        Execute(connection, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, full_name TEXT, street TEXT, city TEXT, phone TEXT, plan TEXT NOT NULL);");
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO users VALUES ($id, $email, $name, $street, 'Leeds', $phone, 'basic');";
        foreach (var name in new[] { "$id", "$email", "$name", "$street", "$phone" })
        {
            insert.Parameters.Add(new SqliteParameter(name, null));
        }

        for (var i = 0; i < rows; i++)
        {
            insert.Parameters["$id"].Value = i;
            insert.Parameters["$email"].Value = $"user{i}@app.example";
            insert.Parameters["$name"].Value = $"User {i}";
            insert.Parameters["$street"].Value = $"{i} Mill Lane";
            insert.Parameters["$phone"].Value = string.Create(CultureInfo.InvariantCulture, $"+44 7700 9{i:D5}");
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
        SqliteConnection.ClearAllPools();
    }

    private static Process Start(string tool, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(tool);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }
}
