using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Databunker.Core.Keys;
using Databunker.Core.Privacy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// Purpose-bound access on SQLite (issue 32): a read for a purpose beside the plain read of the same persons (its
/// baseline), a detokenize for a purpose beside the plain one of the same tokens, and one field-retention pass over 2,000 persons whose one-day voucher is due beside a hand-written floor
/// (<see cref="Floor.RunFieldRetention"/>). Fields per second are 3 × 2,000 / the pass's time (the voucher's code, value and end).
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class PurposeBenchmarks
{
    private const int Stored = 10_000;
    private const int Due = 2_000;
    private string _folder = string.Empty;
    private ServiceProvider _services = null!;
    private IPersonalDataVault _vault = null!;
    private PurposeBoundVault _delivery = null!;
    private FakeTimeProvider _time = null!;
    private Floor _floor = null!;
    private Guid[] _tokens = [];
    private string[] _cards = [];
    private Tokenization.ITokenizer _tokenizer = null!;
    private PurposeBoundVault _payment = null!;
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "databunker-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddDatabunker(o =>
            {
                o.DefaultActor = "bench";
                o.Privacy.Activities.Add(new ProcessingActivity
                {
                    Name = "account", Purpose = "Keeping the account", LegalBasis = LegalBasis.Contract,
                    Fields = [new() { Path = "/email" }, new() { Path = "/name" }, new() { Path = "/tags" }],
                });
                o.Privacy.Activities.Add(new ProcessingActivity
                {
                    Name = "delivery", Purpose = "Delivering orders", LegalBasis = LegalBasis.Contract,
                    Fields = [new() { Path = "/name" }, new() { Path = "/address" }],
                });
                o.Privacy.Activities.Add(new ProcessingActivity
                {
                    Name = "payment", Purpose = "Taking payments", LegalBasis = LegalBasis.Contract, TokenScopes = ["card"],
                });
                o.Privacy.Activities.Add(new ProcessingActivity
                {
                    Name = "promotion", Purpose = "A one-day voucher", LegalBasis = LegalBasis.LegitimateInterests,
                    Fields = [new() { Path = "/voucher", Retention = TimeSpan.FromDays(1) }],
                });
            })
            .UseSqlite($"Data Source={Path.Combine(_folder, "vault.db")}")
            .UseMasterKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        _services = services.BuildServiceProvider();
        _vault = _services.GetRequiredService<IPersonalDataVault>();
        _delivery = _vault.ForPurpose("delivery");
        await _services.GetRequiredService<IVaultAdministration>().InitializeAsync();
        foreach (var chunk in Enumerable.Range(0, Stored).Chunk(1000))
        {
            _tokens = [.. _tokens, .. await _vault.CreatePersonsAsync(chunk.Select(VaultBenchmarks.Profile))];
        }

        _tokenizer = _services.GetRequiredService<Tokenization.ITokenizer>();
        _payment = _vault.ForPurpose("payment");
        foreach (var chunk in Enumerable.Range(0, Stored).Chunk(1000))
        {
            _cards = [.. _cards, .. await _tokenizer.TokenizeManyAsync(chunk.Select(i => $"4111 1111 {i / 10_000 % 10_000:D4} {i % 10_000:D4}"), new Tokenization.TokenizeOptions { Scope = "card" })];
        }

        _floor = new Floor(Path.Combine(_folder, "floor.db"));
        _next = Stored;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _floor.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("PurposeRead")]
    public Task<PersonRecord?> Vault_GetByToken() => _vault.GetPersonAsync(PersonLookup.ByToken(_tokens[_next++ % Stored]));

    [Benchmark, BenchmarkCategory("PurposeRead")]
    public Task<PersonRecord?> Vault_GetByTokenForPurpose() => _delivery.GetPersonAsync(PersonLookup.ByToken(_tokens[_next++ % Stored]));

    [Benchmark(Baseline = true), BenchmarkCategory("PurposeDetokenize")]
    public Task<string?> Vault_Detokenize() => _tokenizer.DetokenizeAsync(_cards[_next++ % Stored]);

    [Benchmark, BenchmarkCategory("PurposeDetokenize")]
    public Task<string?> Vault_DetokenizeForPurpose() => _payment.DetokenizeAsync(_cards[_next++ % Stored]);

    [IterationSetup(Target = nameof(Vault_FieldRetentionPass2000))]
    public void DueVault()
    {
        _vault.CreatePersonsAsync(Enumerable.Range(NextBlock(Due), Due).Select(WithVoucher)).GetAwaiter().GetResult();
        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMilliseconds(1));
    }

    [IterationSetup(Target = nameof(Floor_FieldRetentionPass2000))]
    public void DueFloor()
    {
        var first = NextBlock(Due);
        var now = Environment.TickCount64;
        for (var i = first; i < first + Due; i++)
        {
            _floor.StartFieldRetention(_floor.Create(WithVoucher(i), VaultBenchmarks.Email(i)), now);
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("FieldRetentionPass2000"), InvocationCount(1)]
    public int Floor_FieldRetentionPass2000() => _floor.RunFieldRetention(Environment.TickCount64 + 1, "voucher");

    [Benchmark, BenchmarkCategory("FieldRetentionPass2000"), InvocationCount(1)]
    public Task<int> Vault_FieldRetentionPass2000() => _vault.DeleteExpiredFieldsAsync();

    /// <summary>A stored profile with a one-day voucher of three fields, which the pass deletes.</summary>
    private static System.Text.Json.JsonElement WithVoucher(int i)
    {
        var profile = System.Text.Json.Nodes.JsonObject.Create(VaultBenchmarks.Profile(i))!;
        profile["voucher"] = new System.Text.Json.Nodes.JsonObject { ["code"] = $"V-{i}", ["value"] = 10, ["until"] = "2026-12-31" };
        return System.Text.Json.JsonSerializer.SerializeToElement(profile);
    }

    private int NextBlock(int size) => Interlocked.Add(ref _next, size) - size;
}
