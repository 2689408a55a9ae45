using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Databunker.Core.Tests.Support;
using Databunker.Tool;
using Databunker.Tool.Scan;
using Microsoft.Data.Sqlite;
using Npgsql;

using static Databunker.Core.Tests.Tool.ToolSupport;

namespace Databunker.Core.Tests.Tool;

/// <summary>
/// <c>databunker scan</c> against an application's own database, generated here: six tables, 100,000 rows, some columns
/// holding personal data and the others holding what shops hold besides (prices, order numbers, SKUs, product names).
/// </summary>
[TestFixture]
public sealed class ScanTests
{
    /// <summary>Every column that holds personal data, and what it holds.</summary>
    private static readonly Dictionary<string, PersonalDataKind> Personal = new(StringComparer.Ordinal)
    {
        ["customers.first_name"] = PersonalDataKind.Name,
        ["customers.last_name"] = PersonalDataKind.Name,
        ["customers.email"] = PersonalDataKind.Email,
        ["customers.phone"] = PersonalDataKind.Phone,
        ["customers.date_of_birth"] = PersonalDataKind.DateOfBirth,
        ["addresses.street"] = PersonalDataKind.Address,
        ["addresses.postcode"] = PersonalDataKind.Address,
        ["payments.card_number"] = PersonalDataKind.CardNumber,
        ["payments.iban"] = PersonalDataKind.Iban,
        ["logins.ip_address"] = PersonalDataKind.IpAddress,
        ["logins.contact"] = PersonalDataKind.Phone,
        ["customers.mobile"] = PersonalDataKind.Phone,
        ["orders.remarks"] = PersonalDataKind.Email,
    };

    private string _folder = null!;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "vaults", "scan-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task AFullScanOfOneHundredThousandRows_FindsEverySeededColumn_AndNoOther_InUnderThirtySeconds()
    {
        var database = Path.Combine(_folder, "shop.db");
        ShopDatabase.CreateSqlite(database);
        var before = File.GetLastWriteTimeUtc(database);

        var watch = Stopwatch.StartNew();
        var (code, output, _) = await RunAsync("scan", "--sqlite", $"Data Source={database}", "--full", "--region", "GB", "--json");
        watch.Stop();

        code.Should().Be(1, "personal data outside the vault fails the check");
        var findings = Findings(output);
        findings.Keys.Should().BeEquivalentTo(Personal.Keys, "every seeded column is found, and no column of prices, order numbers, SKUs or product names");
        foreach (var (column, kind) in Personal)
        {
            findings[column].Kind.Should().Be(JsonNamingPolicy.CamelCase.ConvertName(kind.ToString()), column);
        }

        findings["customers.email"].Confidence.Should().Be("high");
        findings["orders.remarks"].Read.Should().Be(15_000);
        findings["orders.remarks"].Example.Should().MatchRegex(@"^[a-z]\*+@\*+\.\*+le$", "an email found inside text is shown alone, masked, not the text around it");
        findings["customers.mobile"].Confidence.Should().Be("high", "its name says phone and its values are runs of digits");
        findings["customers.email"].Read.Should().Be(20_000, "--full reads every row");
        findings["customers.email"].Example.Should().MatchRegex(@"^[a-z]\*+\.\*+@\*+\.\*om$", "an example is shown masked").And.NotContain("example");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine($"Full scan of 100,000 rows in 6 tables: {watch.Elapsed.TotalSeconds:F1} s");
        File.GetLastWriteTimeUtc(database).Should().Be(before, "the database is opened read-only");
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task ASampledScan_ReadsUpToTheSampleOfEachTable_AndSaysSo_InATable()
    {
        var database = Path.Combine(_folder, "shop.db");
        ShopDatabase.CreateSqlite(database);

        var (code, output, error) = await RunAsync("scan", "--sqlite", $"Data Source={database}", "--sample", "500", "--region", "GB");

        code.Should().Be(1);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().StartWith("Table").And.Contain("Column").And.Contain("Holds").And.Contain("Confidence").And.Contain("Example");
        lines.Should().Contain(l => l.StartsWith("payments", StringComparison.Ordinal) && l.Contains("card_number", StringComparison.Ordinal) && l.Contains("CardNumber", StringComparison.Ordinal));
        lines[^1].Should().Be("Read 3000 row(s) of 6 table(s) (up to 500 a table; --full reads every row): 13 column(s) hold personal data outside the vault.");
        output.Should().NotContain("@example.com").And.NotContain("GB82").And.NotContain("4111", "values are shown masked only");
        error.Should().Contain("scanned customers: ").And.Contain("(100 %)", "progress goes to the error stream as plain lines in a pipe");

        var onATerminal = await RunAsync(true, "scan", "--sqlite", $"Data Source={database}", "--sample", "500", "--region", "GB");
        onATerminal.Error.Should().Contain("\r[").And.Contain("] 100 % 6/6").And.NotContain("scanned customers", "a terminal gets a bar redrawn in place");
        onATerminal.Output.Should().Be(output, "the report is the same wherever the progress goes");
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task ADatabaseWithoutPersonalData_Passes_AndAMissingOneIsNotCreated()
    {
        var database = Path.Combine(_folder, "clean.db");
        using (var connection = new SqliteConnection($"Data Source={database}"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, sku TEXT, price REAL); INSERT INTO products (name, sku, price) VALUES ('Widget', 'SKU-1', 9.99), ('Gadget', 'SKU-2', 19.5);";
            create.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        var (code, output, _) = await RunAsync("scan", "--sqlite", $"Data Source={database}");
        code.Should().Be(0);
        output.Trim().Should().Be("Read 2 row(s) of 1 table(s): 0 column(s) hold personal data outside the vault.");

        var missing = Path.Combine(_folder, "missing.db");
        var (refused, _, error) = await RunAsync("scan", "--sqlite", $"Data Source={missing}");
        refused.Should().Be(2);
        error.Should().Contain("does not exist");
        File.Exists(missing).Should().BeFalse();

        (await RunAsync("scan", "--sqlite", $"Data Source={database}", "--region", "XX")).Code.Should().Be(2);
        (await RunAsync("scan")).Code.Should().Be(2, "a database must be named");

        var unreachable = await RunAsync("scan", "--postgresql", "Host=127.0.0.1;Port=1;Username=app;Password=s3cret;Database=app;Timeout=2");
        unreachable.Code.Should().Be(2, "a database that cannot be reached is no finding");
        unreachable.Error.Should().Contain("could not be read").And.Contain("127.0.0.1:1").And.NotContain("s3cret");
    }

    [Test]
    [Category(TestStore.PostgreSqlName)]
    public async Task APostgreSqlDatabase_IsScannedInReadOnlyTransactions_AndItsColumnsFoundAsOnSqlite()
    {
        // A database of its own: the scan reads every schema, and the suites' vaults share the server's default database.
        if (Environment.GetEnvironmentVariable("DATABUNKER_TEST_POSTGRES") is not { Length: > 0 } server)
        {
            TestStore.PostgreSql.NewDatabase(); // ignores the test, or fails it where PostgreSQL is required
            return;
        }

        var connectionString = await ShopDatabase.CreatePostgreSqlAsync(server);
        var file = Path.Combine(_folder, "scan.conn");
        await File.WriteAllTextAsync(file, connectionString);

        var (code, output, _) = await RunAsync("scan", "--postgresql-file", file, "--full", "--region", "GB", "--json");

        code.Should().Be(1);
        Findings(output).Keys.Should().BeEquivalentTo(Personal.Keys);
        await using var data = NpgsqlDataSource.Create(connectionString);
        (await data.CreateCommand("SELECT COUNT(*) FROM customers").ExecuteScalarAsync()).Should().Be(20_000L);
    }

    [TestCase("4111 1111 1111 1111", true)]
    [TestCase("4111-1111-1111-1112", false)]
    [TestCase("5500 0000 0000 0004", true)]
    [TestCase("3782 822463 10005", true)]
    [TestCase("1234567812345670", false)]
    [TestCase("41111111111111110", false)]
    public void CardNumbers_NeedAnIssuerPrefixAndLengthAndTheLuhnCheck(string value, bool card) =>
        PersonalDataDetectors.IsCardNumber(value).Should().Be(card);

    [TestCase("GB82 WEST 1234 5698 7654 32", true)]
    [TestCase("DE89370400440532013000", true)]
    [TestCase("GB82 WEST 1234 5698 7654 33", false)]
    [TestCase("DE8937040044053201300", false)]
    [TestCase("ORD-2024-000123", false)]
    public void Ibans_NeedTheirCountrysLengthAndCheckDigits(string value, bool iban) =>
        PersonalDataDetectors.IsIban(value).Should().Be(iban);

    [TestCase("+44 20 7946 0958", "US", true)]
    [TestCase("0044 20 7946 0958", "US", true)]
    [TestCase("020 7946 0958", "GB", true)]
    [TestCase("(201) 555-0123", "US", true)]
    [TestCase("2015550123", "US", false)]
    [TestCase("+44 20 7946", "US", false)]
    [TestCase("12.5", "US", false)]
    public void PhoneNumbers_AreValidForTheirCountry_AndABareRunOfDigitsIsNot(string value, string region, bool phone) =>
        PersonalDataDetectors.IsPhone(value, region).Should().Be(phone);

    [TestCase("users", "name", "Name")]
    [TestCase("products", "name", null)]
    [TestCase("AspNetUsers", "UserName", "Name")]
    [TestCase("customers", "FirstName", "Name")]
    [TestCase("orders", "shipping_address", "Address")]
    [TestCase("users", "email_address", null)]
    [TestCase("logins", "ip_address", null)]
    [TestCase("people", "dob", "DateOfBirth")]
    [TestCase("people", "BirthDate", "DateOfBirth")]
    [TestCase("orders", "placed_at", null)]
    [TestCase("customers", "Address1", "Address")]
    [TestCase("customers", "post_code", "Address")]
    [TestCase("uploads", "zip_file", null)]
    [TestCase("nodes", "server_address", null)]
    [TestCase("contacts", "MobileNumber", "Phone")]
    [TestCase("contacts", "tel", "Phone")]
    [TestCase("lab", "cell_count", null)]
    public void ColumnNames_SayANameAnAddressOrABirth(string table, string column, string? kind) =>
        (PersonalDataDetectors.FromColumnName(table, column)?.ToString()).Should().Be(kind);

    [TestCase("alice.smith@example.com", "a****.*****@*******.*om")]
    [TestCase("4111 1111 1111 1111", "4*** **** **** **11")]
    [TestCase("Bob", "***")]
    [TestCase("Zoë Ñúñez-García", "Z** *****-*****a", Description = "a letter outside ASCII is never shown, even first or last")]
    [TestCase("山田 太郎さま", "** ****")]
    public void AnExample_IsShownMasked(string value, string masked) =>
        PersonalDataDetectors.Mask(value).Should().Be(masked);

    [Test]
    public void AnExample_OfALongValue_IsCutAtACharacter_NotInsideOne()
    {
        var value = new string('a', 39) + "\U0001F600\U0001F600" + "tail";
        var masked = PersonalDataDetectors.Mask(value);
        masked.EnumerateRunes().Should().HaveCount(40);
        masked.Should().NotContain("\U0001F600").And.NotContain("tail");
        System.Text.Json.JsonSerializer.Serialize(masked).Should().NotBeNull("a cut surrogate pair would not serialise");
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task ATableThatCannotBeRead_IsNamed_AndTheScanGoesOn_ButDoesNotPass()
    {
        var database = Path.Combine(_folder, "ghost.db");
        using (var connection = new SqliteConnection($"Data Source={database}"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = """
                CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT);
                INSERT INTO products (name) VALUES ('Widget');
                CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, first_name TEXT);
                INSERT INTO customers (email, first_name) VALUES ('9b2f6c1e-8a43-4b7e-9d51-3f0c2a7e6b11', '1f0e4c2a-6b7d-4e8f-9a1b-2c3d4e5f6a7b');
                PRAGMA writable_schema = ON;
                INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('table', 'ghost', 'ghost', 0, 'CREATE VIRTUAL TABLE ghost USING no_such_module(x)');
                PRAGMA writable_schema = OFF;
                """;
            create.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        var (code, output, error) = await RunAsync("scan", "--sqlite", $"Data Source={database}");

        code.Should().Be(2, "a table that could not be read may hold anything");
        output.Should().Contain("Not read: ghost (SqliteException 1).").And.Contain("0 column(s) hold personal data",
            "a column named first_name that holds only tokens has moved to the vault");
        error.Should().Contain("The table ghost could not be read");
    }

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task AnIgnoredColumn_LeavesTheVerdict()
    {
        var database = Path.Combine(_folder, "shop.db");
        ShopDatabase.CreateSqlite(database);
        string[] all = [.. Personal.Keys.SelectMany(k => new[] { "--ignore", k })];

        var (code, output, _) = await RunAsync(["scan", "--sqlite", $"Data Source={database}", "--region", "GB", "--sample", "200", .. all]);

        code.Should().Be(0);
        output.Should().EndWith("0 column(s) hold personal data outside the vault.\n");
    }

    private static Dictionary<string, (string Kind, long Read, string Confidence, string? Example)> Findings(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("findings").EnumerateArray().ToDictionary(
            f => $"{f.GetProperty("table").GetString()}.{f.GetProperty("column").GetString()}",
            f => (f.GetProperty("holds").GetString()!, f.GetProperty("read").GetInt64(), f.GetProperty("confidence").GetString()!, f.GetProperty("example").GetString()));
    }

    /// <summary>A shop's own database: customers, their addresses, payments, logins, products and orders; 100,000 rows.</summary>
    private static class ShopDatabase
    {
        private static readonly string[] FirstNames = ["Alice", "Bob", "Carol", "Dan", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"];
        private static readonly string[] LastNames = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright"];

        /// <summary>The tables: name, row count, and each column's SQL type and value for row i.</summary>
        private static readonly (string Table, int Rows, (string Name, string Type, Func<int, object> Value)[] Columns)[] Tables =
        [
            ("customers", 20_000,
            [
                ("id", "INTEGER", i => (long)i),
                ("first_name", "TEXT", i => FirstNames[i % 10]),
                ("last_name", "TEXT", i => LastNames[i / 10 % 10]),
                ("email", "TEXT", i => $"{FirstNames[i % 10].ToLowerInvariant()}.{LastNames[i / 10 % 10].ToLowerInvariant()}{i}@example.com"),
                ("phone", "TEXT", i => string.Create(CultureInfo.InvariantCulture, $"+44 20 7946 0{i % 1000:D3}")),
                ("mobile", "TEXT", i => string.Create(CultureInfo.InvariantCulture, $"555{i * 7 % 10_000_000:D7}")), // bare digits: found by its name
                ("date_of_birth", "TEXT", i => new DateOnly(1950, 1, 1).AddDays(i % 18_000).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                ("created_at", "TEXT", i => new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i).ToString("s", CultureInfo.InvariantCulture)),
                ("loyalty_points", "INTEGER", i => (long)(i * 37 % 5000)),
                ("status", "TEXT", i => i % 7 == 0 ? "closed" : "active"),
            ]),
            ("addresses", 20_000,
            [
                ("customer_id", "INTEGER", i => (long)i),
                ("street", "TEXT", i => string.Create(CultureInfo.InvariantCulture, $"{i % 200 + 1} High Street")),
                ("postcode", "TEXT", i => string.Create(CultureInfo.InvariantCulture, $"LS{i % 20 + 1} {i % 9 + 1}AA")),
                ("country", "TEXT", _ => "GB"),
                ("label", "TEXT", i => i % 3 == 0 ? "work" : "home"),
            ]),
            ("payments", 15_000,
            [
                ("id", "INTEGER", i => (long)i),
                ("card_number", "TEXT", Card),
                ("iban", "TEXT", Iban),
                ("amount", "REAL", i => (i % 500) + 0.99),
                ("currency", "TEXT", _ => "EUR"),
                ("reference", "TEXT", i => string.Create(CultureInfo.InvariantCulture, $"PAY-{i:D6}")),
            ]),
            ("logins", 15_000,
            [
                ("id", "INTEGER", i => (long)i),
                ("ip_address", "TEXT", i => i % 10 == 0 ? $"2001:db8::{i:x}" : string.Create(CultureInfo.InvariantCulture, $"10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}")),
                ("contact", "TEXT", i => string.Create(CultureInfo.InvariantCulture, $"020 7946 0{i % 1000:D3}")),
                ("user_agent", "TEXT", i => $"Mozilla/5.0 (X11; Linux x86_64) Firefox/{100 + (i % 30)}.0"),
                ("started_at", "TEXT", i => new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i * 17).ToString("s", CultureInfo.InvariantCulture)),
            ]),
            ("products", 15_000,
            [
                ("id", "INTEGER", i => (long)i),
                ("name", "TEXT", i => string.Create(CultureInfo.InvariantCulture, $"Widget {i}")),
                ("sku", "TEXT", i => string.Create(CultureInfo.InvariantCulture, $"SKU-{i:D6}")),
                ("price", "REAL", i => (i % 90) + 0.5),
                ("description", "TEXT", i => $"A sturdy widget in size {i % 5}, made in Leeds."),
                ("stock", "INTEGER", i => (long)(i % 50)),
                ("barcode", "TEXT", i => string.Create(CultureInfo.InvariantCulture, $"50{i:D11}")),
            ]),
            ("orders", 15_000,
            [
                ("id", "INTEGER", i => (long)i),
                ("order_number", "TEXT", i => string.Create(CultureInfo.InvariantCulture, $"ORD-2024-{i:D6}")),
                ("total", "REAL", i => (i % 300) + 0.25),
                ("quantity", "INTEGER", i => (long)(i % 9 + 1)),
                ("tracking_code", "TEXT", i => string.Create(CultureInfo.InvariantCulture, $"1Z{i:D16}")),
                ("note", "TEXT", i => i % 4 == 0 ? "Leave at the door" : "Ring twice"),
                ("remarks", "TEXT", i => i % 40 == 0 ? $"Asked us to write to {FirstNames[i % 10].ToLowerInvariant()}@mail.example about the delay." : "None"),
                ("placed_at", "TEXT", i => new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i * 3).ToString("s", CultureInfo.InvariantCulture)),
            ]),
        ];

        public static void CreateSqlite(string file)
        {
            using (var connection = new SqliteConnection($"Data Source={file}"))
            {
                connection.Open();
                using var transaction = connection.BeginTransaction();
                foreach (var (table, rows, columns) in Tables)
                {
                    Execute(connection, $"CREATE TABLE {table} ({string.Join(", ", columns.Select(c => $"{c.Name} {c.Type}"))});");
                    using var insert = connection.CreateCommand();
                    insert.CommandText = $"INSERT INTO {table} VALUES ({string.Join(", ", columns.Select((_, i) => $"${i}"))});";
                    var parameters = columns.Select((_, i) => insert.Parameters.Add(new SqliteParameter($"${i}", null))).ToArray();
                    for (var row = 0; row < rows; row++)
                    {
                        for (var c = 0; c < columns.Length; c++)
                        {
                            parameters[c].Value = columns[c].Value(row);
                        }

                        insert.ExecuteNonQuery();
                    }
                }

                transaction.Commit();
            }

            SqliteConnection.ClearAllPools();
        }

        /// <summary>The same tables in a new database on the run's server; returns its connection string.</summary>
        public static async Task<string> CreatePostgreSqlAsync(string server)
        {
            var name = "scan_" + Guid.NewGuid().ToString("N")[..12];
            await using (var admin = NpgsqlDataSource.Create(server))
            {
                await admin.CreateCommand($"CREATE DATABASE {name};").ExecuteNonQueryAsync();
            }

            var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
            await using var data = NpgsqlDataSource.Create(connectionString);
            await using var connection = await data.OpenConnectionAsync();
            foreach (var (table, rows, columns) in Tables)
            {
                var types = columns.Select(c => c.Type switch { "INTEGER" => "bigint", "REAL" => "double precision", _ => "text" }).ToArray();
                await new NpgsqlCommand($"CREATE TABLE {table} ({string.Join(", ", columns.Select((c, i) => $"{c.Name} {types[i]}"))});", connection).ExecuteNonQueryAsync();
                await using var import = await connection.BeginBinaryImportAsync($"COPY {table} FROM STDIN (FORMAT BINARY)");
                for (var row = 0; row < rows; row++)
                {
                    await import.StartRowAsync();
                    foreach (var column in columns)
                    {
                        await import.WriteAsync(column.Value(row));
                    }
                }

                await import.CompleteAsync();
            }

            // A date column as PostgreSQL applications declare it: the scan reads it as a date, not as text.
            await new NpgsqlCommand("ALTER TABLE customers ALTER COLUMN date_of_birth TYPE date USING date_of_birth::date;", connection).ExecuteNonQueryAsync();
            return connectionString;
        }

        /// <summary>A Visa number that passes the Luhn check, written in groups of four.</summary>
        private static object Card(int i)
        {
            var digits = string.Create(CultureInfo.InvariantCulture, $"4{i * 7919L % 100_000_000_000_000:D14}");
            var sum = 0;
            for (var k = 0; k < 15; k++)
            {
                var d = digits[14 - k] - '0';
                if (k % 2 == 0)
                {
                    d *= 2;
                    d = d > 9 ? d - 9 : d;
                }

                sum += d;
            }

            var full = digits + (char)('0' + ((10 - (sum % 10)) % 10));
            return string.Join(' ', Enumerable.Range(0, 4).Select(g => full.Substring(g * 4, 4)));
        }

        /// <summary>A British IBAN with its check digits (ISO 13616: 98 minus the remainder modulo 97).</summary>
        private static object Iban(int i)
        {
            var bban = string.Create(CultureInfo.InvariantCulture, $"WEST{i % 1_000_000:D6}{i * 31L % 100_000_000:D8}");
            var rearranged = bban + "GB00";
            var remainder = 0;
            foreach (var c in rearranged)
            {
                remainder = char.IsAsciiDigit(c) ? ((remainder * 10) + (c - '0')) % 97 : ((remainder * 100) + (c - 'A' + 10)) % 97;
            }

            var check = 98 - remainder;
            return string.Create(CultureInfo.InvariantCulture, $"GB{check:D2}{bban}");
        }
    }
}
