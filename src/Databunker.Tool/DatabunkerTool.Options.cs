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
        private readonly Option<string?> _postgreSql = new("--postgresql") { Description = "The vault's PostgreSQL connection string." };
        private readonly Option<string> _keyEnv = new("--key-env") { Description = "The environment variable holding the master key (base64).", DefaultValueFactory = _ => MasterKeyBuilderExtensions.DefaultEnvironmentVariable };
        private readonly Option<FileInfo?> _keyFile = new("--key-file") { Description = "The file holding the master key (32 raw bytes or base64), instead of --key-env." };
        private readonly Option<int> _keyVersion = new("--key-version") { Description = "The master key's version number.", DefaultValueFactory = _ => 1 };

        public void AddTo(Command command)
        {
            command.Options.Add(_sqlite);
            command.Options.Add(_postgreSql);
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
            var postgreSql = result.GetValue(_postgreSql);
            if ((sqlite is null) == (postgreSql is null))
            {
                throw new ArgumentException("Name the vault with exactly one of --sqlite and --postgresql.");
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
                builder.UsePostgreSql(postgreSql!);
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
}
