using System.Security.Cryptography;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Databunker.Tool;
using Databunker.Tool.Import;
using Databunker.Tool.Scan;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

using static Databunker.Core.Tests.Tool.ToolSupport;

namespace Databunker.Core.Tests.Tool;

/// <summary>
/// <c>databunker tokenize</c>, and what guards a clear: values of a table that refers to imported persons become tokens
/// the person owns, a row is changed whole or not at all, and a run again takes only what is left.
/// </summary>
[TestFixture]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TokenizeTests
{
    private string _folder = null!;
    private string _vault = null!;
    private string _key = null!;

    [SetUp]
    public async Task CreateVault() => (_folder, _vault, _key) = await NewVaultAsync("tokenize");

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task RowsWithoutAnOwner_KeepTheirValuesAndAreListed_AndARunAgainTakesOnlyWhatIsLeft()
    {
        var app = Path.Combine(_folder, "app.db");
        Execute(app, """
            CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
            INSERT INTO users VALUES (1, 'ann@app.example'), (2, 'bob@app.example');
            CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, street TEXT, city TEXT);
            INSERT INTO orders VALUES (10, 1, '1 Mill Lane', 'Leeds'), (11, 2, '2 Canal Street', NULL), (12, 3, '3 Park Row', 'Bristol'), (13, NULL, '4 Lost Lane', 'York');
            """);
        (await RunAsync(["import", "--name", "users", "--from-sqlite", $"Data Source={app}", "--table", "users", "--map", "email=email", .. Vault])).Code.Should().Be(0);
        string[] tokenize = ["tokenize", "--from-sqlite", $"Data Source={app}", "--table", "orders", "--column", "street", "--column", "city",
            "--scope", "address", "--owner", "user_id", "--owner-import", "users", .. Vault];

        var first = await RunAsync(tokenize);

        first.Code.Should().Be(1, "two rows are left as they are");
        first.Output.Should().Contain("Row 12: its user_id names no person of the import users in the vault (never imported, or forgotten since); left as it is.");
        first.Output.Should().Contain("Row 13: its user_id is empty; left as it is.");
        first.Output.Should().Contain("Read 4 row(s) holding values: made 3 token(s) of scope address, 2 row(s) left as they are.");
        first.Output.Should().NotContain("Park Row").And.NotContain("Lost Lane");
        using (var connection = Open(app))
        {
            Scalar(connection, "SELECT street FROM orders WHERE id = 12").Should().Be("3 Park Row");
            Scalar(connection, "SELECT COUNT(*) FROM orders WHERE street IS NULL AND street_token IS NOT NULL").Should().Be(2L);
            Scalar(connection, "SELECT city_token FROM orders WHERE id = 11").Should().Be(DBNull.Value, "a NULL value has no token");
        }

        // The owner arrives; a run again takes the rows still holding values, and nothing else.
        Execute(app, "INSERT INTO users VALUES (3, 'cat@app.example');");
        (await RunAsync(["import", "--name", "users", "--from-sqlite", $"Data Source={app}", "--table", "users", "--map", "email=email", .. Vault])).Code.Should().Be(0);
        string street10;
        using (var connection = Open(app))
        {
            street10 = (string)Scalar(connection, "SELECT street_token FROM orders WHERE id = 10")!;
        }

        var again = await RunAsync(tokenize);

        again.Output.Should().Contain("Read 2 row(s) holding values: made 2 token(s) of scope address, 1 row(s) left as they are.");
        using (var connection = Open(app))
        {
            Scalar(connection, "SELECT street_token FROM orders WHERE id = 10").Should().Be(street10, "a row done stays as it was");
            Scalar(connection, "SELECT street FROM orders WHERE id = 12").Should().Be(DBNull.Value);
        }

        await using var services = OpenVault();
        var tokens = services.GetRequiredService<ITokenizer>();
        (await tokens.DetokenizeAsync(street10)).Should().Be("1 Mill Lane");

        // The person forgotten takes their tokens with them.
        var vault = services.GetRequiredService<IPersonalDataVault>();
        (await vault.ForgetPersonAsync(PersonLookup.ByEmail("ann@app.example"))).Should().BeTrue();
        (await tokens.DetokenizeAsync(street10)).Should().BeNull();
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task AValueTheVaultRefuses_LeavesOnlyItsOwnRow_AndBlankValuesAreCleared()
    {
        var app = Path.Combine(_folder, "app.db");
        Execute(app, $"""
            CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
            INSERT INTO users VALUES (1, 'ann@app.example');
            CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, street TEXT, city TEXT);
            INSERT INTO orders VALUES (10, 1, '1 Mill Lane', 'Leeds'), (11, 1, '{new string('x', 20_000)}', 'Leeds'), (12, 1, '3 Park Row', 'York'), (13, 1, '   ', '');
            """);
        (await RunAsync(["import", "--name", "users", "--from-sqlite", $"Data Source={app}", "--table", "users", "--map", "email=email", .. Vault])).Code.Should().Be(0);

        var (code, output, _) = await RunAsync(["tokenize", "--from-sqlite", $"Data Source={app}", "--table", "orders", "--column", "street", "--column", "city",
            "--scope", "address", "--owner", "user_id", "--owner-import", "users", .. Vault]);

        code.Should().Be(1);
        output.Should().MatchRegex(@"(?m)^Row 11: the vault refused a value: .+; left as it is\.$");
        output.Should().NotContain("xxxx");
        output.Should().Contain("Read 4 row(s) holding values: made 4 token(s) of scope address, 1 row(s) left as they are.", "one long value leaves its own row only");
        using var connection = Open(app);
        Scalar(connection, "SELECT COUNT(*) FROM orders WHERE street IS NULL AND city IS NULL").Should().Be(3L, "the blank row is cleared too");
        Scalar(connection, "SELECT city FROM orders WHERE id = 11").Should().Be("Leeds", "a row changes whole or not at all");
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task ARowTheApplicationChangesWhileItIsTokenized_KeepsItsNewValue_AndIsListed()
    {
        var app = Path.Combine(_folder, "app.db");
        Execute(app, """
            CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
            INSERT INTO users VALUES (1, 'ann@app.example');
            CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, street TEXT);
            INSERT INTO orders VALUES (10, 1, '1 Mill Lane'), (11, 1, '2 Canal Street');
            """);
        (await RunAsync(["import", "--name", "users", "--from-sqlite", $"Data Source={app}", "--table", "users", "--map", "email=email", .. Vault])).Code.Should().Be(0);
        await using var services = OpenVault();
        using var output = new StringWriter();
        await using var connection = new SqliteConnection($"Data Source={app}");
        await connection.OpenAsync();

        // The application writes a new address into order 11 after it was read and before its row is written.
        var tokenizer = new ChangingTokenizer(services.GetRequiredService<ITokenizer>(), () => Execute(app, "UPDATE orders SET street = '9 River Road' WHERE id = 11;"));
        var run = new ColumnTokenizer(connection, services.GetRequiredService<IVaultImporter>(), tokenizer,
            new TokenizeSettings("orders", "id", ["street"], "address", "user_id", "users", 100), output, new ProgressWriter(TextWriter.Null, terminal: false));
        var code = await run.RunAsync(CancellationToken.None);

        code.Should().Be(1);
        output.ToString().Should().Contain("Row 11: changed while it was read; left as it is, run again to take it.")
            .And.NotContain("Row 10").And.Contain("made 1 token(s) of scope address, 1 row(s) left as they are.");
        using var check = Open(app);
        Scalar(check, "SELECT street FROM orders WHERE id = 11").Should().Be("9 River Road", "the application's change is kept, not cleared");
        Scalar(check, "SELECT street_token FROM orders WHERE id = 11").Should().Be(DBNull.Value);
    }

    /// <summary>A tokenizer that lets the application change the table once, just before it tokenizes.</summary>
    private sealed class ChangingTokenizer(ITokenizer inner, Action change) : ITokenizer
    {
        private Action? _change = change;

        public Task<IReadOnlyList<string>> TokenizeManyAsync(IEnumerable<string> values, TokenizeOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Exchange(ref _change, null)?.Invoke();
            return inner.TokenizeManyAsync(values, options, cancellationToken);
        }

        public Task<string> TokenizeAsync(string value, TokenizeOptions? options = null, CancellationToken cancellationToken = default) => inner.TokenizeAsync(value, options, cancellationToken);

        public Task<string?> DetokenizeAsync(string token, CancellationToken cancellationToken = default) => inner.DetokenizeAsync(token, cancellationToken);

        public Task<IReadOnlyList<string?>> DetokenizeManyAsync(IEnumerable<string> tokens, CancellationToken cancellationToken = default) => inner.DetokenizeManyAsync(tokens, cancellationToken);

        public Task<string?> DetokenizeForPurposeAsync(string token, string purpose, CancellationToken cancellationToken = default) => inner.DetokenizeForPurposeAsync(token, purpose, cancellationToken);

        public Task<IReadOnlyList<string?>> DetokenizeManyForPurposeAsync(IEnumerable<string> tokens, string purpose, CancellationToken cancellationToken = default) =>
            inner.DetokenizeManyForPurposeAsync(tokens, purpose, cancellationToken);

        public Task<bool> DeleteTokenAsync(string token, CancellationToken cancellationToken = default) => inner.DeleteTokenAsync(token, cancellationToken);

        public Task<int> DeleteExpiredTokensAsync(CancellationToken cancellationToken = default) => inner.DeleteExpiredTokensAsync(cancellationToken);
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task ColumnsThatCannotTakeIt_AreRefusedBeforeATokenIsMade()
    {
        var app = Path.Combine(_folder, "app.db");
        Execute(app, """
            CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
            INSERT INTO users VALUES (1, 'ann@app.example');
            CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, street TEXT NOT NULL, city TEXT, city_token TEXT, code INTEGER);
            INSERT INTO orders VALUES (10, 1, '1 Mill Lane', 'Leeds', 'a note of the app', 7);
            CREATE TABLE twice (code INTEGER, user_id INTEGER, city TEXT);
            INSERT INTO twice VALUES (1, 1, 'Leeds'), (1, 1, 'York');
            """);
        (await RunAsync(["import", "--name", "users", "--from-sqlite", $"Data Source={app}", "--table", "users", "--map", "email=email", .. Vault])).Code.Should().Be(0);
        string[] common = ["--scope", "address", "--owner", "user_id", "--owner-import", "users", .. Vault];

        var notNull = await RunAsync(["tokenize", "--from-sqlite", $"Data Source={app}", "--table", "orders", "--column", "street", .. common]);
        var taken = await RunAsync(["tokenize", "--from-sqlite", $"Data Source={app}", "--table", "orders", "--column", "city", .. common]);
        var missing = await RunAsync(["tokenize", "--from-sqlite", $"Data Source={app}", "--table", "orders", "--column", "zip", .. common]);
        var shared = await RunAsync(["tokenize", "--from-sqlite", $"Data Source={app}", "--table", "twice", "--id", "code", "--column", "city", .. common]);

        notNull.Error.Should().Contain("The column street is declared NOT NULL");
        taken.Error.Should().Contain("The column city_token exists and holds other values than tokens");
        missing.Error.Should().Contain("The table orders has no column zip.");
        shared.Error.Should().Contain("must name each row once");
        new[] { notNull.Code, taken.Code, missing.Code, shared.Code }.Should().AllBeEquivalentTo(2);
        using var stored = Open(_vault);
        Scalar(stored, "SELECT COUNT(*) FROM tokens").Should().Be(0L, "nothing was tokenized");
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task AClear_LeavesARowTheApplicationChangedSinceItsVerify()
    {
        var app = Path.Combine(_folder, "app.db");
        Execute(app, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, score REAL); INSERT INTO users VALUES (1, 'ann@app.example', 1.5), (2, 'bob@app.example', 2.5);");
        var map = ColumnMap.Parse(["email=email", "score=score"]);
        await using var source = await SqlImportSource.OpenAsync($"Data Source={app}", false, "users", null, "id", map, writes: true, CancellationToken.None);
        var rows = new List<SourceRow>();
        await foreach (var page in source.PagesAsync(10, CancellationToken.None))
        {
            rows.AddRange(page);
        }

        Execute(app, "UPDATE users SET email = 'ann.new@app.example' WHERE id = 1;");
        (await source.ClearAsync(rows, CancellationToken.None)).Should().Be(1);

        using var connection = Open(app);
        Scalar(connection, "SELECT email FROM users WHERE id = 1").Should().Be("ann.new@app.example", "the change since the verify is kept");
        Scalar(connection, "SELECT COUNT(*) FROM users WHERE id = 2 AND email IS NULL AND score IS NULL").Should().Be(1L, "a number compares as it was read");
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task TheMapping_KeepsRowsAnEarlierRunCleared_AndWriteBackRefusesAColumnOfData()
    {
        var app = Path.Combine(_folder, "app.db");
        Execute(app, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, plan TEXT); INSERT INTO users VALUES (1, 'ann@app.example', 'basic'), (2, 'bob@app.example', 'plus');");
        var mapping = Path.Combine(_folder, "mapping.csv");
        string[] import = ["import", "--name", "users", "--from-sqlite", $"Data Source={app}", "--table", "users", "--map", "email=email", "--mapping", mapping, .. Vault];

        (await RunAsync([.. import, "--null-source"])).Code.Should().Be(0);
        var first = await File.ReadAllLinesAsync(mapping);
        Execute(app, "INSERT INTO users VALUES (3, 'cat@app.example', 'basic');");
        (await RunAsync(import)).Code.Should().Be(0);

        var second = await File.ReadAllLinesAsync(mapping);
        second.Should().HaveCount(4).And.Contain(first.Skip(1), "the rows cleared by the first run keep their lines");
        (await RunAsync([.. import, "--write-back", "id"])).Error.Should().Contain("is the id column");
        (await RunAsync([.. import, "--write-back", "plan"])).Error.Should().Contain("The column plan exists and holds other values than tokens");
    }

    [Test]
    public void AVaultToken_DoesNotCount_ButAnIbanOfTheSameLengthDoes()
    {
        PersonalDataDetectors.IsVaultToken("ES9121000418450200051332", "GB").Should().BeFalse("a Spanish IBAN has 24 characters too");
        PersonalDataDetectors.IsVaultToken("Zm9vYmFyYmF6cXV4LXF1dXg_", "GB").Should().BeTrue();
        PersonalDataDetectors.IsVaultToken("Zm9vYmFyYmF6cXV4LXF1dXg", "GB").Should().BeFalse("23 characters");
        PersonalDataDetectors.IsVaultToken("Zm9vYmFyYmF6cXV4LXF1dX!_", "GB").Should().BeFalse("not base64url");
    }

    [Test]
    [Category(TestStore.PostgreSqlName)]
    public async Task ATableOfAnotherSchema_IsTokenizedOnPostgreSql_WhateverItsColumnsTypes_AndARunAgainMakesNoMore()
    {
        if (Environment.GetEnvironmentVariable("DATABUNKER_TEST_POSTGRES") is not { Length: > 0 } server)
        {
            TestStore.PostgreSql.NewDatabase(); // ignores the test, or fails it where PostgreSQL is required
            return;
        }

        var name = "tokenize_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = NpgsqlDataSource.Create(server))
        {
            await admin.CreateCommand($"CREATE DATABASE {name};").ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        await using (var data = NpgsqlDataSource.Create(connectionString))
        {
            await data.CreateCommand(
                "CREATE SCHEMA shop; CREATE TABLE shop.users (id bigint PRIMARY KEY, email text); " +
                "INSERT INTO shop.users SELECT i, 'user' || i || '@app.example' FROM generate_series(1, 30) AS i; " +
                "CREATE TABLE shop.orders (id char(8) PRIMARY KEY, user_id bigint, street text, shipped date, placed timestamp(3) with time zone, meta json); " +
                "INSERT INTO shop.orders SELECT 'o' || (100 + i), 1 + i % 30, i || ' Mill Lane', DATE '2025-01-01' + i, TIMESTAMPTZ '2025-01-01 10:00:00.123+00' + i * INTERVAL '1 day', " +
                "json_build_object('gift', i % 2 = 0) FROM generate_series(1, 75) AS i;").ExecuteNonQueryAsync();
        }

        Environment.SetEnvironmentVariable("DATABUNKER_TOKENIZE_SOURCE", connectionString);
        string[] source = ["--from-postgresql-env", "DATABUNKER_TOKENIZE_SOURCE"];
        (await RunAsync(["import", "--name", "users", .. source, "--table", "shop.users", "--map", "email=email", .. Vault])).Code.Should().Be(0);
        string[] tokenize = ["tokenize", .. source, "--table", "shop.orders", "--column", "street", "--column", "shipped", "--column", "placed", "--column", "meta", "--scope", "address",
            "--owner", "user_id", "--owner-import", "users", "--batch", "20", .. Vault];

        var first = await RunAsync(tokenize);
        var again = await RunAsync(tokenize);

        first.Code.Should().Be(0, first.Error + first.Output);
        first.Output.Should().Contain("Read 75 row(s) holding values: made 300 token(s) of scope address, 0 row(s) left as they are.",
            "a padded char(8) id, a timestamp(3) with time zone and a json value are compared as their columns hold them");
        again.Output.Should().Contain("Read 0 row(s) holding values: made 0 token(s)");
        await using var data2 = NpgsqlDataSource.Create(connectionString);
        var shipped = (string)(await data2.CreateCommand("SELECT shipped_token FROM shop.orders WHERE id = 'o101'").ExecuteScalarAsync())!;
        await using var services = OpenVault();
        (await services.GetRequiredService<ITokenizer>().DetokenizeAsync(shipped)).Should().StartWith("2025-01-02", "a date is tokenized as its ISO text");
    }

    private string[] Vault => ["--sqlite", $"Data Source={_vault}", "--key-file", _key];

    private ServiceProvider OpenVault()
    {
        var services = new ServiceCollection();
        services.AddDatabunker().UseSqlite($"Data Source={_vault}").UseMasterKeyFromFile(_key);
        return services.BuildServiceProvider();
    }
}
