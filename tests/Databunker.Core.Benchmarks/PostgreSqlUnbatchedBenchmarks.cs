using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// PostgreSQL at one task, every call's audit event committed before it returns (<see cref="DatabunkerOptions.ReadAuditWindow"/>
/// 0): each vault operation beside the floor (<see cref="PostgreSqlFloor"/>), which sends each operation and its audit row as
/// one batch. Run it against a server with default durability (see docs/benchmarks.md).
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PostgreSqlUnbatchedBenchmarks
{
    private const int Stored = 10_000;
    private BenchStore _store = null!;
    private ServiceProvider _services = null!;
    private IPersonalDataVault _vault = null!;
    private ITokenizer _tokenizer = null!;
    private PostgreSqlFloor _floor = null!;
    private Guid[] _vaultTokens = [];
    private Guid[] _floorTokens = [];
    private string[] _vaultValueTokens = [];
    private string[] _floorValueTokens = [];
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _store = BenchStore.Create(BenchStore.PostgreSql);
        (_services, _vault) = await _store.OpenVaultAsync(o => o.ReadAuditWindow = 0);
        _tokenizer = _services.GetRequiredService<ITokenizer>();
        foreach (var chunk in Enumerable.Range(0, Stored).Chunk(1000))
        {
            _vaultTokens = [.. _vaultTokens, .. await _vault.CreatePersonsAsync(chunk.Select(VaultBenchmarks.Profile))];
        }

        _vaultValueTokens = [.. await _tokenizer.TokenizeManyAsync(Enumerable.Range(0, Stored).Select(VaultBenchmarks.Value))];
        _floor = (PostgreSqlFloor)await _store.OpenFloorAsync();
        _floor.CreateMany([.. Enumerable.Range(0, Stored).Select(i => (VaultBenchmarks.Profile(i), VaultBenchmarks.Email(i)))]);
        _floorTokens = [.. Enumerable.Range(0, Stored).Select(i => _floor.Create(VaultBenchmarks.Profile(i), VaultBenchmarks.Email(i + Stored)))];
        _floorValueTokens = [.. Enumerable.Range(0, Stored).Select(i => _floor.Tokenize(VaultBenchmarks.Value(i)))];
        _next = 3 * Stored;
        _store.Quiesce();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _floor.Dispose();
        _store.Dispose();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Create")]
    public Task<Guid> Floor_Create()
    {
        var i = Interlocked.Increment(ref _next);
        return _floor.CreateAsync(VaultBenchmarks.Profile(i), VaultBenchmarks.Email(i));
    }

    [Benchmark, BenchmarkCategory("Create")]
    public Task<Guid> Vault_Create() => _vault.CreatePersonAsync(VaultBenchmarks.Profile(Interlocked.Increment(ref _next)));

    [Benchmark(Baseline = true), BenchmarkCategory("GetByEmail")]
    public Task<JsonElement?> Floor_GetByEmail() => _floor.GetByEmailAsync(VaultBenchmarks.Email(_next++ % Stored));

    [Benchmark, BenchmarkCategory("GetByEmail")]
    public Task<PersonRecord?> Vault_GetByEmail() => _vault.GetPersonAsync(PersonLookup.ByEmail(VaultBenchmarks.Email(_next++ % Stored)));

    [Benchmark(Baseline = true), BenchmarkCategory("GetByToken")]
    public Task<JsonElement?> Floor_GetByToken() => _floor.GetByTokenAsync(_floorTokens[_next++ % Stored]);

    [Benchmark, BenchmarkCategory("GetByToken")]
    public Task<PersonRecord?> Vault_GetByToken() => _vault.GetPersonAsync(PersonLookup.ByToken(_vaultTokens[_next++ % Stored]));

    [Benchmark(Baseline = true), BenchmarkCategory("Tokenize")]
    public Task<string> Floor_Tokenize() => _floor.TokenizeAsync(VaultBenchmarks.Value(_next++));

    [Benchmark, BenchmarkCategory("Tokenize")]
    public Task<string> Vault_Tokenize() => _tokenizer.TokenizeAsync(VaultBenchmarks.Value(_next++));

    [Benchmark(Baseline = true), BenchmarkCategory("Detokenize")]
    public Task<string?> Floor_Detokenize() => _floor.DetokenizeAsync(_floorValueTokens[_next++ % Stored]);

    [Benchmark, BenchmarkCategory("Detokenize")]
    public Task<string?> Vault_Detokenize() => _tokenizer.DetokenizeAsync(_vaultValueTokens[_next++ % Stored]);

    [Benchmark(Baseline = true), BenchmarkCategory("CreateThenForget")]
    public async Task Floor_CreateThenForget()
    {
        var i = Interlocked.Increment(ref _next);
        await _floor.ForgetAsync(await _floor.CreateAsync(VaultBenchmarks.Profile(i), VaultBenchmarks.Email(i)));
    }

    [Benchmark, BenchmarkCategory("CreateThenForget")]
    public async Task<bool> Vault_CreateThenForget() =>
        await _vault.ForgetPersonAsync(PersonLookup.ByToken(await _vault.CreatePersonAsync(VaultBenchmarks.Profile(Interlocked.Increment(ref _next)))));
}
