using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Databunker.Core.Expiration;
using Databunker.Core.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Databunker.Core.Benchmarks;

/// <summary>Forget (500 fresh persons per iteration) and one scheduler pass over 10,000 due persons, each beside its floor.</summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ForgetAndExpirationBenchmarks
{
    private const int ForgetBatch = 500;
    private const int Due = 10_000;
    private readonly Queue<Guid> _vaultQueue = new();
    private readonly Queue<Guid> _floorQueue = new();
    private string _folder = string.Empty;
    private ServiceProvider _services = null!;
    private IPersonalDataVault _vault = null!;
    private IExpirationManager _expirations = null!;
    private FakeTimeProvider _time = null!;
    private Floor _floor = null!;
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "databunker-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddDatabunker(o => o.DefaultActor = "bench").UseSqlite($"Data Source={Path.Combine(_folder, "vault.db")}").UseMasterKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        _services = services.BuildServiceProvider();
        _vault = _services.GetRequiredService<IPersonalDataVault>();
        _expirations = _services.GetRequiredService<IExpirationManager>();
        await _services.GetRequiredService<IVaultAdministration>().InitializeAsync();
        _floor = new Floor(Path.Combine(_folder, "floor.db"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _floor.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [IterationSetup(Target = nameof(Vault_Forget))]
    public void FillVault()
    {
        foreach (var token in _vault.CreatePersonsAsync(Enumerable.Range(NextBlock(ForgetBatch), ForgetBatch).Select(VaultBenchmarks.Profile)).GetAwaiter().GetResult())
        {
            _vaultQueue.Enqueue(token);
        }
    }

    [IterationSetup(Target = nameof(Floor_Forget))]
    public void FillFloor()
    {
        var first = NextBlock(ForgetBatch);
        for (var i = first; i < first + ForgetBatch; i++)
        {
            _floorQueue.Enqueue(_floor.Create(VaultBenchmarks.Profile(i), VaultBenchmarks.Email(i)));
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Forget"), InvocationCount(ForgetBatch)]
    public bool Floor_Forget() => _floor.Forget(_floorQueue.Dequeue());

    [Benchmark, BenchmarkCategory("Forget"), InvocationCount(ForgetBatch)]
    public Task<bool> Vault_Forget() => _vault.ForgetPersonAsync(PersonLookup.ByToken(_vaultQueue.Dequeue()));

    [IterationSetup(Target = nameof(Vault_ExpirationPass10000))]
    public void DueVault()
    {
        var tokens = _vault.CreatePersonsAsync(Enumerable.Range(NextBlock(Due), Due).Select(VaultBenchmarks.Profile)).GetAwaiter().GetResult();
        foreach (var token in tokens)
        {
            _expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromHours(1)).GetAwaiter().GetResult();
        }

        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMilliseconds(1));
    }

    [IterationSetup(Target = nameof(Floor_ExpirationPass10000))]
    public void DueFloor()
    {
        var first = NextBlock(Due);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        for (var i = first; i < first + Due; i++)
        {
            _floor.StartExpiration(_floor.Create(VaultBenchmarks.Profile(i), VaultBenchmarks.Email(i)), now);
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("ExpirationPass10000"), InvocationCount(1)]
    public int Floor_ExpirationPass10000() => _floor.RunDue(_time.GetUtcNow().ToUnixTimeMilliseconds());

    [Benchmark, BenchmarkCategory("ExpirationPass10000"), InvocationCount(1)]
    public async Task<int> Vault_ExpirationPass10000() => (await _expirations.RunDueAsync()).Deleted;

    private int NextBlock(int size) => Interlocked.Add(ref _next, size) - size;
}
