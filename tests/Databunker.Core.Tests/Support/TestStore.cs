using System.Collections.Concurrent;
using System.Text;
using Databunker.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Databunker.Core.Tests.Support;

/// <summary>
/// A storage provider the suites run against, with the raw access an attacker or an operator has to its
/// database. A "database" is a SQLite file path, or a PostgreSQL connection string to a schema of its own.
/// </summary>
public abstract class TestStore
{
    public const string SqliteName = "sqlite";

    public const string PostgreSqlName = "postgresql";

    public static TestStore Sqlite { get; } = new SqliteStore();

    public static TestStore PostgreSql { get; } = new PostgreSqlStore();

    /// <summary>The fixture arguments of a suite that runs against every provider.</summary>
    /// <summary>The stores, as fixture arguments that carry the store's name as their category (CI counts per category).</summary>
    public static IEnumerable<TestFixtureData> All => [InCategory(SqliteName), InCategory(PostgreSqlName)];

    public abstract string Name { get; }

    private static TestFixtureData InCategory(string name)
    {
        var fixture = new TestFixtureData(name);
        fixture.Properties.Add(NUnit.Framework.Internal.PropertyNames.Category, name);
        return fixture;
    }

    public static TestStore Named(string name) => name switch
    {
        SqliteName => Sqlite,
        PostgreSqlName => PostgreSql,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown test store."),
    };

    /// <summary>A new, empty database; ignores (or, when CI demands it, fails) the test if the provider is missing.</summary>
    public abstract string NewDatabase();

    public abstract IDatabunkerBuilder Use(IDatabunkerBuilder builder, string database);

    /// <summary>
    /// The storage of <paramref name="database"/> on its own, plugged in as a host plugs it in, with no vault
    /// opened: its roles are read straight from the returned container, which the caller disposes.
    /// </summary>
    public ServiceProvider CreateStorage(string database, TimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddSingleton<IAuditChain>(TestAuditChain.Shared);
        services.AddSingleton<IConsentChain>(TestAuditChain.SharedConsents);
        Use(services.AddDatabunker(), database);
        return services.BuildServiceProvider();
    }

    /// <summary>Runs SQL against the database directly, as an attacker or an operator with access would.</summary>
    public abstract void Sql(string database, string sql, object? parameters = null);

    /// <summary>Reads one value from the database directly.</summary>
    public abstract T? Scalar<T>(string database, string sql, object? parameters = null);

    /// <summary>Whether anything the database keeps (files, or every row of every table) contains <paramref name="needle"/>.</summary>
    public abstract bool Holds(string database, byte[] needle);

    /// <summary>A backup of the database as it is now, as an operator would take one: a new database holding a copy of every table.</summary>
    public abstract string Backup(string database);

    /// <summary>Drops what the run created.</summary>
    internal virtual void CleanUp()
    {
    }

    public override string ToString() => Name;

    private sealed class SqliteStore : TestStore
    {
        public override string Name => SqliteName;

        public override string NewDatabase()
        {
            var path = VaultHost.NewDatabasePath();
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return path;
        }

        public override IDatabunkerBuilder Use(IDatabunkerBuilder builder, string database) => builder.UseSqlite($"Data Source={database}");

        public override void Sql(string database, string sql, object? parameters = null) => TestData.Sql(database, sql, parameters);

        public override T? Scalar<T>(string database, string sql, object? parameters = null) where T : default =>
            TestData.Scalar<T>(database, sql, parameters);

        public override bool Holds(string database, byte[] needle) =>
            new[] { database, database + "-wal" }.Where(File.Exists).Any(f => File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0);

        /// <summary>SQLite's online backup: a consistent copy, whatever the write-ahead log holds.</summary>
        public override string Backup(string database)
        {
            var copy = NewDatabase();
            using (var source = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False"))
            using (var target = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={copy};Pooling=False"))
            {
                source.Open();
                target.Open();
                source.BackupDatabase(target);
            }

            return copy;
        }
    }

    private sealed class PostgreSqlStore : TestStore
    {
        private readonly ConcurrentBag<string> _schemas = [];

        public override string Name => PostgreSqlName;

        /// <summary>The server the suites use: <c>DATABUNKER_TEST_POSTGRES</c>, which <c>.ci/run</c> sets.</summary>
        private static string? Server => Environment.GetEnvironmentVariable("DATABUNKER_TEST_POSTGRES") is { Length: > 0 } s ? s : null;

        public override string NewDatabase()
        {
            var server = Server;
            if (server is null)
            {
                const string Why = "No PostgreSQL server for the tests: set DATABUNKER_TEST_POSTGRES to an Npgsql connection string (.ci/run starts one).";
                if (Environment.GetEnvironmentVariable("DATABUNKER_REQUIRE_POSTGRES") == "1")
                {
                    Assert.Fail(Why);
                }

                Assert.Ignore(Why);
                return string.Empty;
            }

            var schema = $"t_{Guid.NewGuid():N}";
            using (var connection = new NpgsqlConnection(server))
            {
                connection.Open();
                using var create = new NpgsqlCommand($"CREATE SCHEMA {schema};", connection);
                create.ExecuteNonQuery();
            }

            _schemas.Add(schema);
            return new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
        }

        public override IDatabunkerBuilder Use(IDatabunkerBuilder builder, string database) => builder.UsePostgreSql(database);

        public override void Sql(string database, string sql, object? parameters = null)
        {
            using var connection = Open(database);
            using var command = RawCommand(connection, sql, parameters);
            command.ExecuteNonQuery();
        }

        public override T? Scalar<T>(string database, string sql, object? parameters = null) where T : default
        {
            using var connection = Open(database);
            using var command = RawCommand(connection, sql, parameters);
            var value = command.ExecuteScalar();
            return value is null or DBNull ? default : value is T same ? same : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>Every row of every table as PostgreSQL prints it (bytea as hex), searched for the needle as text and as hex.</summary>
        public override bool Holds(string database, byte[] needle)
        {
            var hex = Convert.ToHexStringLower(needle);
            var text = Encoding.Latin1.GetString(needle);
            using var connection = Open(database);
            var tables = Tables(connection);

            foreach (var table in tables)
            {
                using var rows = new NpgsqlCommand($"SELECT t::text FROM \"{table}\" t;", connection);
                using var reader = rows.ExecuteReader();
                while (reader.Read())
                {
                    var row = reader.GetString(0);
                    if (row.Contains(hex, StringComparison.Ordinal) || row.Contains(text, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        /// <summary>A new schema with a copy of every table of the database's schema (structure, constraints and rows).</summary>
        public override string Backup(string database)
        {
            var copy = NewDatabase();
            var from = new NpgsqlConnectionStringBuilder(database).SearchPath!;
            var to = new NpgsqlConnectionStringBuilder(copy).SearchPath!;
            using var connection = Open(database);
            var tables = Tables(connection);

            foreach (var table in tables)
            {
                using var clone = new NpgsqlCommand(
                    $"CREATE TABLE \"{to}\".\"{table}\" (LIKE \"{from}\".\"{table}\" INCLUDING ALL); INSERT INTO \"{to}\".\"{table}\" OVERRIDING SYSTEM VALUE SELECT * FROM \"{from}\".\"{table}\";",
                    connection);
                clone.ExecuteNonQuery();
            }

            // The copies' identity columns go on after the copied ids, as a restored backup's do.
            using (var identities = new NpgsqlCommand(
                       "SELECT format('SELECT setval(pg_get_serial_sequence(%L, %L), COALESCE((SELECT MAX(%I) FROM %I.%I), 0) + 1, false);', " +
                       "table_schema || '.' || table_name, column_name, column_name, table_schema, table_name) " +
                       "FROM information_schema.columns WHERE table_schema = @to AND (is_identity = 'YES' OR column_default LIKE 'nextval%');", connection))
            {
                identities.Parameters.AddWithValue("to", to);
                var statements = new List<string>();
                using (var reader = identities.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        statements.Add(reader.GetString(0));
                    }
                }

                foreach (var statement in statements)
                {
                    using var set = new NpgsqlCommand(statement, connection);
                    set.ExecuteScalar();
                }
            }

            return copy;
        }

        internal override void CleanUp()
        {
            if (Server is not { } server || _schemas.IsEmpty)
            {
                return;
            }

            NpgsqlConnection.ClearAllPools();
            using var connection = new NpgsqlConnection(server);
            connection.Open();
            while (_schemas.TryTake(out var schema))
            {
                using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE;", connection);
                drop.ExecuteNonQuery();
            }
        }

        /// <summary>The tables of the connection's schema.</summary>
        private static List<string> Tables(NpgsqlConnection connection)
        {
            var tables = new List<string>();
            using var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = current_schema();", connection);
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }

            return tables;
        }

        private static NpgsqlConnection Open(string database)
        {
            var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString);
            connection.Open();
            return connection;
        }

        private static NpgsqlCommand RawCommand(NpgsqlConnection connection, string sql, object? parameters)
        {
            var command = new NpgsqlCommand(sql, connection);
            foreach (var property in parameters?.GetType().GetProperties() ?? [])
            {
                command.Parameters.AddWithValue(property.Name, property.GetValue(parameters) ?? DBNull.Value);
            }

            return command;
        }
    }
}
