using BenchmarkDotNet.Attributes;
using Dapper;
using Databunker.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

[module: DapperAot]

namespace Databunker.Core.Benchmarks;

/// <summary>
/// Why the hot paths keep hand-prepared statements while the rest of the storage runs on Dapper.AOT (issue 29: keep
/// them only where Dapper.AOT costs more than 3 %). One person read by token, the read under every get: the storage
/// role as the vault runs it (SQLite's own API on a prepared statement of a pooled connection; on PostgreSQL an
/// Npgsql command from the pool), beside the same SELECT and the same mapping through Dapper.AOT's generated code on
/// an open connection (SQLite) or a connection from the same kind of pool (PostgreSQL).
/// </summary>
[MemoryDiagnoser]
public class DataAccessBenchmarks
{
    private const int Stored = 2_000;
    private const string Select =
        "SELECT u.token, u.profile, u.version, u.created_at, u.updated_at, k.key_version, k.wrapped FROM users u JOIN data_keys k ON k.owner = u.token WHERE u.token = @token;";

    private BenchStore _store = null!;
    private ServiceProvider _services = null!;
    private IPersonStore _persons = null!;
    private SqliteConnection? _sqlite;
    private NpgsqlDataSource? _postgres;
    private Guid[] _tokens = [];
    private int _next;

    [ParamsSource(nameof(Stores))]
    public string Store { get; set; } = BenchStore.Sqlite;

    public static IEnumerable<string> Stores => BenchStore.Available;

    [GlobalSetup]
    public async Task Setup()
    {
        _store = BenchStore.Create(Store);
        (_services, var vault) = await _store.OpenVaultAsync();
        foreach (var chunk in Enumerable.Range(0, Stored).Chunk(1000))
        {
            _tokens = [.. _tokens, .. await vault.CreatePersonsAsync(chunk.Select(VaultBenchmarks.Profile))];
        }

        _persons = _services.GetRequiredService<IPersonStore>();
        if (Store == BenchStore.Sqlite)
        {
            _sqlite = new SqliteConnection(_store.VaultConnectionString);
            _sqlite.Open();
        }
        else
        {
            // The connection settings the storage itself uses: statements prepared automatically, no reset on return.
            _postgres = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_store.VaultConnectionString)
            {
                MaxAutoPrepare = new PostgreSql.PostgreSqlStorageOptions().MaxAutoPrepare,
                NoResetOnClose = true,
            }.ConnectionString);
        }

        // Both are read once, so that neither pays a first preparation inside the measurement, and a read that found
        // nobody would measure nothing.
        if (await HandPrepared() is null || await DapperAot() is null)
        {
            throw new InvalidOperationException("The benchmark's read found no person.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sqlite?.Dispose();
        _postgres?.Dispose();
        _services.Dispose();
        _store.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<StoredPerson?> HandPrepared() => _persons.GetPersonAsync(NextToken(), CancellationToken.None);

    [Benchmark]
    public async Task<StoredPerson?> DapperAot()
    {
        var token = NextToken().ToByteArray();
        if (_sqlite is { } sqlite)
        {
            return sqlite.QuerySingleOrDefault<PersonRow>(Select, new { token })?.ToPerson();
        }

        var cancellationToken = CancellationToken.None;
        await using var connection = await _postgres!.OpenConnectionAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<PersonRow>(Select, new { token, cancellationToken }))?.ToPerson();
    }

    private Guid NextToken() => _tokens[Interlocked.Increment(ref _next) % _tokens.Length];

    /// <summary>The row as the SELECT names its columns; the storage reads the same and maps it the same way.</summary>
    internal sealed record PersonRow(byte[] Token, byte[] Profile, long Version, long CreatedAt, long UpdatedAt, string KeyVersion, byte[] Wrapped)
    {
        public StoredPerson ToPerson() => new(new Guid(Token), Profile, new Keys.WrappedKey(KeyVersion, Wrapped), Version, CreatedAt, UpdatedAt);
    }
}
