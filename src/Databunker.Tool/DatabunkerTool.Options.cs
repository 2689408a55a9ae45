using System.CommandLine;
using Databunker.Core;
using Databunker.Core.Keys;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Tool;

/// <summary>The options that several commands share: where the vault is and its master key.</summary>
internal static partial class DatabunkerTool
{
    /// <summary>The options that name a vault and its current master key, shared by the commands that open one.</summary>
    private sealed class VaultOptions
    {
        private readonly Option<string?> _sqlite = new("--sqlite") { Description = "The vault's SQLite connection string (Data Source=vault.db). The file must exist: only init creates one." };
        private readonly ConnectionStringOption _postgreSql = new("postgresql", "the vault's PostgreSQL connection string");
        private readonly Option<string> _keyEnv = new("--key-env") { Description = "The environment variable holding the master key (base64).", DefaultValueFactory = _ => MasterKeyBuilderExtensions.DefaultEnvironmentVariable };
        private readonly Option<FileInfo?> _keyFile = new("--key-file") { Description = "The file holding the master key (32 raw bytes or base64), instead of --key-env." };
        private readonly Option<int> _keyVersion = new("--key-version") { Description = "The master key's version number.", DefaultValueFactory = _ => 1 };

        public void AddTo(Command command)
        {
            command.Options.Add(_sqlite);
            _postgreSql.AddTo(command);
            command.Options.Add(_keyEnv);
            command.Options.Add(_keyFile);
            command.Options.Add(_keyVersion);
        }

        /// <summary>
        /// Builds the vault's services. A SQLite file is never created (a mistyped path fails when the vault opens,
        /// naming the file) unless <paramref name="create"/>, which is init's, and then it must not exist yet.
        /// </summary>
        public ServiceProvider Open(ParseResult result, Action<IDatabunkerBuilder>? more, bool create)
        {
            var sqlite = result.GetValue(_sqlite);
            if ((sqlite is null) == !_postgreSql.IsGiven(result))
            {
                throw new ArgumentException($"Name the vault with exactly one of --sqlite and --postgresql (or {_postgreSql.Names}).");
            }

            var services = new ServiceCollection();
            var builder = services.AddDatabunker(o => o.DefaultActor = "databunker-tool");
            if (sqlite is not null)
            {
                if (create && SqliteFile(sqlite) is { } file && File.Exists(file))
                {
                    throw new ArgumentException($"{Path.GetFullPath(file)} already exists: init creates a new vault only; the other commands open an existing one.");
                }

                builder.UseSqlite(sqlite, o => o.CreateIfMissing = create);
            }
            else
            {
                builder.UsePostgreSql(_postgreSql.Read(result)!);
            }

            var source = result.GetValue(_keyFile) is { } keyFile ? MasterKeySource.FromFile(keyFile.FullName) : MasterKeySource.FromEnvironment(result.GetValue(_keyEnv)!);
            builder.UseMasterKey(source, result.GetValue(_keyVersion));
            more?.Invoke(builder);
            return services.BuildServiceProvider();
        }

        /// <summary>The SQLite file the command names, or null for PostgreSQL or an in-memory vault.</summary>
        public string? SqliteFileOf(ParseResult result) => result.GetValue(_sqlite) is { } sqlite ? SqliteFile(sqlite) : null;

        /// <summary>The SQLite file a connection string names, or null for an in-memory or malformed one (UseSqlite says why).</summary>
        private static string? SqliteFile(string connectionString)
        {
            try
            {
                var builder = new SqliteConnectionStringBuilder(connectionString);
                return builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:" ? null : builder.DataSource;
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// A connection string given on the command line (<c>--name</c>), in an environment variable (<c>--name-env</c>)
    /// or in a file (<c>--name-file</c>), as the master key is: the last two keep a password out of the shell history
    /// and the process list. Messages name the option, the variable or the file, never the connection string.
    /// </summary>
    private sealed class ConnectionStringOption(string name, string what)
    {
        private readonly Option<string?> _value = new($"--{name}") { Description = $"{Capitalised(what)}; the shell history and the process list keep it: prefer --{name}-env, --{name}-file or a PGPASSFILE." };
        private readonly Option<string?> _environment = new($"--{name}-env") { Description = $"The environment variable holding {what}." };
        private readonly Option<FileInfo?> _file = new($"--{name}-file") { Description = $"The file holding {what} (keep it readable by its owner only)." };

        public string Names => $"--{name}, --{name}-env or --{name}-file";

        public void AddTo(Command command)
        {
            command.Options.Add(_value);
            command.Options.Add(_environment);
            command.Options.Add(_file);
        }

        public bool IsGiven(ParseResult result) => Given(result) > 0;

        /// <summary>The connection string, or null when none of the three options is given.</summary>
        /// <exception cref="ArgumentException">More than one is given, or the variable or file is missing or empty.</exception>
        public string? Read(ParseResult result)
        {
            if (Given(result) > 1)
            {
                throw new ArgumentException($"Give {what} with exactly one of {Names}.");
            }

            if (result.GetValue(_environment) is { } variable)
            {
                return Environment.GetEnvironmentVariable(variable) is { } value && !string.IsNullOrWhiteSpace(value)
                    ? value.Trim()
                    : throw new ArgumentException($"The environment variable {variable} (--{name}-env) is not set or is empty.");
            }

            if (result.GetValue(_file) is { } file)
            {
                string text;
                try
                {
                    text = File.ReadAllText(file.FullName).Trim();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new ArgumentException($"The file {file.FullName} (--{name}-file) cannot be read: {ex.GetType().Name}.", ex);
                }

                return text.Length > 0 ? text : throw new ArgumentException($"The file {file.FullName} (--{name}-file) is empty.");
            }

            return result.GetValue(_value);
        }

        private static string Capitalised(string text) => string.Concat(text[..1].ToUpperInvariant(), text.AsSpan(1));

        private int Given(ParseResult result) =>
            (result.GetValue(_value) is null ? 0 : 1) + (result.GetValue(_environment) is null ? 0 : 1) + (result.GetValue(_file) is null ? 0 : 1);
    }
}
