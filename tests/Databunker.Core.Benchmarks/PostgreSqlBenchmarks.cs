using System.Security.Cryptography;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Databunker.Core.Keys;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Databunker.Core.Benchmarks.VaultBenchmarks;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// The vault on PostgreSQL beside its floor (<see cref="PostgreSqlFloor"/>), on 10,000 stored persons.
/// Needs a server: <c>DATABUNKER_BENCH_POSTGRES</c> (or <c>DATABUNKER_TEST_POSTGRES</c>), an Npgsql
/// connection string; each run works in two schemas of its own and drops them afterwards.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class PostgreSqlBenchmarks
{
    private const int Stored = 10_000;
    private string _server = string.Empty;
    private readonly string _vaultSchema = $"bench_vault_{Guid.NewGuid():N}";
    private readonly string _floorSchema = $"bench_floor_{Guid.NewGuid():N}";
    private ServiceProvider _services = null!;
    private IPersonalDataVault _vault = null!;
    private ITokenizer _tokenizer = null!;
    private PostgreSqlFloor _floor = null!;
    private Guid[] _vaultTokens = [];
    private Guid[] _floorTokens = [];
    private string[] _vaultValueTokens = [];
    private string[] _floorValueTokens = [];
    private int _next;

    /// <summary>The server named by the environment, or null.</summary>
    public static string? Server =>
        Environment.GetEnvironmentVariable("DATABUNKER_BENCH_POSTGRES") is { Length: > 0 } bench ? bench
        : Environment.GetEnvironmentVariable("DATABUNKER_TEST_POSTGRES") is { Length: > 0 } test ? test
        : null;

    [GlobalSetup]
    public async Task Setup()
    {
        _server = Server ?? throw new InvalidOperationException("Set DATABUNKER_BENCH_POSTGRES to an Npgsql connection string to run the PostgreSQL benchmarks.");
        Execute($"CREATE SCHEMA {_vaultSchema}; CREATE SCHEMA {_floorSchema};");
        (_services, _vault) = await OpenPostgreSql(InSchema(_vaultSchema));
        _tokenizer = _services.GetRequiredService<ITokenizer>();
        foreach (var chunk in Enumerable.Range(0, Stored).Chunk(1000))
        {
            _vaultTokens = [.. _vaultTokens, .. await _vault.CreateUsersAsync(chunk.Select(Profile))];
        }

        _vaultValueTokens = [.. await _tokenizer.TokenizeManyAsync(Enumerable.Range(0, Stored).Select(Value))];

        var (floorServices, _) = await OpenPostgreSql(InSchema(_floorSchema));
        await floorServices.DisposeAsync();
        _floor = new PostgreSqlFloor(new NpgsqlConnectionStringBuilder(InSchema(_floorSchema)) { MaxAutoPrepare = 64 }.ConnectionString);
        _floorTokens = [.. Enumerable.Range(0, Stored).Select(i => _floor.Create(Profile(i), Email(i)))];
        _floorValueTokens = [.. Enumerable.Range(0, Stored).Select(i => _floor.Tokenize(Value(i)))];
        _next = Stored;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _floor.Dispose();
        NpgsqlConnection.ClearAllPools();
        Execute($"DROP SCHEMA {_vaultSchema} CASCADE; DROP SCHEMA {_floorSchema} CASCADE;");
    }

    [Benchmark(Baseline = true), BenchmarkCategory("PgCreate")]
    public Guid Floor_Create()
    {
        var i = Interlocked.Increment(ref _next);
        return _floor.Create(Profile(i), Email(i));
    }

    [Benchmark, BenchmarkCategory("PgCreate")]
    public Task<Guid> Vault_Create() => _vault.CreateUserAsync(Profile(Interlocked.Increment(ref _next)));

    [Benchmark(Baseline = true), BenchmarkCategory("PgGetByToken")]
    public JsonElement? Floor_GetByToken() => _floor.GetByToken(_floorTokens[_next++ % Stored]);

    [Benchmark, BenchmarkCategory("PgGetByToken")]
    public Task<UserRecord?> Vault_GetByToken() => _vault.GetUserAsync(UserLookup.ByToken(_vaultTokens[_next++ % Stored]));

    [Benchmark(Baseline = true), BenchmarkCategory("PgGetByEmail")]
    public JsonElement? Floor_GetByEmail() => _floor.GetByEmail(Email(_next++ % Stored));

    [Benchmark, BenchmarkCategory("PgGetByEmail")]
    public Task<UserRecord?> Vault_GetByEmail() => _vault.GetUserAsync(UserLookup.ByEmail(Email(_next++ % Stored)));

    [Benchmark(Baseline = true), BenchmarkCategory("PgUpdate")]
    public bool Floor_Update() => _floor.Update(_floorTokens[_next % Stored], Patch(_next++));

    [Benchmark, BenchmarkCategory("PgUpdate")]
    public Task<bool> Vault_Update() => _vault.UpdateUserAsync(UserLookup.ByToken(_vaultTokens[_next % Stored]), Patch(_next++));

    [Benchmark(Baseline = true), BenchmarkCategory("PgCreateThenForget")]
    public void Floor_CreateThenForget()
    {
        var i = Interlocked.Increment(ref _next);
        _floor.Forget(_floor.Create(Profile(i), Email(i)));
    }

    [Benchmark, BenchmarkCategory("PgCreateThenForget")]
    public async Task<bool> Vault_CreateThenForget()
    {
        var token = await _vault.CreateUserAsync(Profile(Interlocked.Increment(ref _next)));
        return await _vault.DeleteUserAsync(UserLookup.ByToken(token));
    }

    [Benchmark(Baseline = true), BenchmarkCategory("PgTokenize")]
    public string Floor_Tokenize() => _floor.Tokenize(Value(_next++));

    [Benchmark, BenchmarkCategory("PgTokenize")]
    public Task<string> Vault_Tokenize() => _tokenizer.TokenizeAsync(Value(_next++));

    [Benchmark(Baseline = true), BenchmarkCategory("PgDetokenize")]
    public string? Floor_Detokenize() => _floor.Detokenize(_floorValueTokens[_next++ % Stored]);

    [Benchmark, BenchmarkCategory("PgDetokenize")]
    public Task<string?> Vault_Detokenize() => _tokenizer.DetokenizeAsync(_vaultValueTokens[_next++ % Stored]);

    [Benchmark(Baseline = true), BenchmarkCategory("PgBulkCreate1000")]
    public void Floor_BulkCreate1000()
    {
        var first = Interlocked.Add(ref _next, 1000) - 1000;
        _floor.CreateMany([.. Enumerable.Range(first, 1000).Select(i => (Profile(i), Email(i)))]);
    }

    [Benchmark, BenchmarkCategory("PgBulkCreate1000")]
    public Task<IReadOnlyList<Guid>> Vault_BulkCreate1000()
    {
        var first = Interlocked.Add(ref _next, 1000) - 1000;
        return _vault.CreateUsersAsync(Enumerable.Range(first, 1000).Select(Profile));
    }

    private static async Task<(ServiceProvider, IPersonalDataVault)> OpenPostgreSql(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddDatabunker(o => o.DefaultActor = "bench").UsePostgreSql(connectionString).UseMasterKey(RandomNumberGenerator.GetBytes(32));
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IVaultAdministration>().InitializeAsync();
        return (provider, provider.GetRequiredService<IPersonalDataVault>());
    }

    private string InSchema(string schema) => new NpgsqlConnectionStringBuilder(_server) { SearchPath = schema }.ConnectionString;

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(_server);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
