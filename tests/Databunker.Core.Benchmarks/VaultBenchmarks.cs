using System.Security.Cryptography;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Databunker.Core.Keys;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// Each vault operation beside its floor (the baseline of its category), on 10,000 stored persons, once per store
/// (<see cref="BenchStore"/>): the same benchmarks on SQLite and, where a server is named, PostgreSQL.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class VaultBenchmarks
{
    private const int Stored = 10_000;
    private static readonly TokenizeOptions Deterministic = new() { Kind = TokenKind.Deterministic };
    private static readonly TokenizeOptions Card = new() { Format = TokenFormat.CardNumber };
    private BenchStore _store = null!;
    private ServiceProvider _services = null!;
    private IPersonalDataVault _vault = null!;
    private ITokenizer _tokenizer = null!;
    private IFloor _floor = null!;
    private Guid[] _vaultTokens = [];
    private Guid[] _floorTokens = [];
    private string[] _vaultValueTokens = [];
    private string[] _floorValueTokens = [];
    private int _next;

    /// <summary>The store each operation runs on: SQLite always, PostgreSQL where a server is named.</summary>
    [ParamsSource(nameof(Stores))]
    public string Store { get; set; } = BenchStore.Sqlite;

    public static IEnumerable<string> Stores => BenchStore.Available;

    [GlobalSetup]
    public async Task Setup()
    {
        _store = BenchStore.Create(Store);
        (_services, _vault) = await _store.OpenVaultAsync();
        _tokenizer = _services.GetRequiredService<ITokenizer>();
        foreach (var chunk in Enumerable.Range(0, Stored).Chunk(1000))
        {
            _vaultTokens = [.. _vaultTokens, .. await _vault.CreatePersonsAsync(chunk.Select(Profile))];
        }

        _vaultValueTokens = [.. await _tokenizer.TokenizeManyAsync(Enumerable.Range(0, Stored).Select(Value))];
        _floor = await _store.OpenFloorAsync();
        _floorTokens = [.. Enumerable.Range(0, Stored).Select(i => _floor.Create(Profile(i), Email(i)))];
        _floorValueTokens = [.. Enumerable.Range(0, Stored).Select(i => _floor.Tokenize(Value(i)))];
        _next = Stored;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _floor.Dispose();
        _store.Dispose();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Create")]
    public Guid Floor_Create()
    {
        var i = Interlocked.Increment(ref _next);
        return _floor.Create(Profile(i), Email(i));
    }

    [Benchmark, BenchmarkCategory("Create")]
    public Task<Guid> Vault_Create() => _vault.CreatePersonAsync(Profile(Interlocked.Increment(ref _next)));

    [Benchmark(Baseline = true), BenchmarkCategory("GetByToken")]
    public JsonElement? Floor_GetByToken() => _floor.GetByToken(_floorTokens[_next++ % Stored]);

    [Benchmark, BenchmarkCategory("GetByToken")]
    public Task<PersonRecord?> Vault_GetByToken() => _vault.GetPersonAsync(PersonLookup.ByToken(_vaultTokens[_next++ % Stored]));

    [Benchmark(Baseline = true), BenchmarkCategory("GetByEmail")]
    public JsonElement? Floor_GetByEmail() => _floor.GetByEmail(Email(_next++ % Stored));

    [Benchmark, BenchmarkCategory("GetByEmail")]
    public Task<PersonRecord?> Vault_GetByEmail() => _vault.GetPersonAsync(PersonLookup.ByEmail(Email(_next++ % Stored)));

    [Benchmark(Baseline = true), BenchmarkCategory("Update")]
    public bool Floor_Update() => _floor.Update(_floorTokens[_next % Stored], Patch(_next++));

    [Benchmark, BenchmarkCategory("Update")]
    public Task<bool> Vault_Update() => _vault.UpdatePersonAsync(PersonLookup.ByToken(_vaultTokens[_next % Stored]), Patch(_next++));

    [Benchmark(Baseline = true), BenchmarkCategory("CreateThenForget")]
    public void Floor_CreateThenForget()
    {
        var i = Interlocked.Increment(ref _next);
        _floor.Forget(_floor.Create(Profile(i), Email(i)));
    }

    [Benchmark, BenchmarkCategory("CreateThenForget")]
    public async Task<bool> Vault_CreateThenForget()
    {
        var token = await _vault.CreatePersonAsync(Profile(Interlocked.Increment(ref _next)));
        return await _vault.ForgetPersonAsync(PersonLookup.ByToken(token));
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Tokenize")]
    public string Floor_Tokenize() => _floor.Tokenize(Value(_next++));

    [Benchmark, BenchmarkCategory("Tokenize")]
    public Task<string> Vault_Tokenize() => _tokenizer.TokenizeAsync(Value(_next++));

    [Benchmark(Baseline = true), BenchmarkCategory("TokenizeDeterministic")]
    public string Floor_TokenizeDeterministic() => _floor.TokenizeDeterministic(Value(_next++));

    [Benchmark, BenchmarkCategory("TokenizeDeterministic")]
    public Task<string> Vault_TokenizeDeterministic() => _tokenizer.TokenizeAsync(Value(_next++), Deterministic);

    [Benchmark(Baseline = true), BenchmarkCategory("TokenizeCard")]
    public string Floor_TokenizeCard() => _floor.TokenizeCard(Value(_next++));

    [Benchmark, BenchmarkCategory("TokenizeCard")]
    public Task<string> Vault_TokenizeCard() => _tokenizer.TokenizeAsync(Value(_next++), Card);

    [Benchmark(Baseline = true), BenchmarkCategory("BulkCreate1000")]
    public void Floor_BulkCreate1000()
    {
        var first = Interlocked.Add(ref _next, 1000) - 1000;
        _floor.CreateMany([.. Enumerable.Range(first, 1000).Select(i => (Profile(i), Email(i)))]);
    }

    [Benchmark, BenchmarkCategory("BulkCreate1000")]
    public Task<IReadOnlyList<Guid>> Vault_BulkCreate1000()
    {
        var first = Interlocked.Add(ref _next, 1000) - 1000;
        return _vault.CreatePersonsAsync(Enumerable.Range(first, 1000).Select(Profile));
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Detokenize")]
    public string? Floor_Detokenize() => _floor.Detokenize(_floorValueTokens[_next++ % Stored]);

    [Benchmark, BenchmarkCategory("Detokenize")]
    public Task<string?> Vault_Detokenize() => _tokenizer.DetokenizeAsync(_vaultValueTokens[_next++ % Stored]);

    internal static async Task<(ServiceProvider, IPersonalDataVault)> Open(string path)
    {
        var services = new ServiceCollection();
        services.AddDatabunker(o => o.DefaultActor = "bench").UseSqlite($"Data Source={path}").UseMasterKey(RandomNumberGenerator.GetBytes(32));
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IVaultAdministration>().InitializeAsync();
        return (provider, provider.GetRequiredService<IPersonalDataVault>());
    }

    internal static string Email(int i) => $"person{i}@bench.example";

    internal static JsonElement Profile(int i) => JsonSerializer.SerializeToElement(new
    {
        email = Email(i),
        name = $"Person {i}",
        address = new { street = $"{i} Bench Street", city = "Leeds", zip = "LS1 4AP" },
        tags = new[] { "customer", "newsletter" },
    });

    internal static JsonElement Patch(int n) => JsonSerializer.SerializeToElement(new { n });

    internal static string Value(int i) => $"4921 81{i / 100_000_000 % 100:D2} {i / 10_000 % 10_000:D4} {i % 10_000:D4}";
}
