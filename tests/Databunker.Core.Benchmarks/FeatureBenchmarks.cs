using System.Security.Cryptography;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Databunker.Core.AppData;
using Databunker.Core.Keys;
using Databunker.Core.Sessions;
using Databunker.Core.Shares;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// The feature modules of issue 14 on SQLite, each operation beside its hand-written floor (<see cref="FeatureFloor"/>):
/// a session read that touches, an app-data read and write, a share redemption; 2,000 persons, each with a
/// document, a session and a link.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class FeatureBenchmarks
{
    private const int Persons = 2_000;
    private string _place = null!;
    private ServiceProvider _services = null!;
    private IAppDataManager _appData = null!;
    private ISessionManager _sessions = null!;
    private IShareLinkManager _shares = null!;
    private FeatureFloor _floor = null!;
    private Guid[] _vaultPersons = [];
    private Guid[] _floorPersons = [];
    private string[] _vaultSessions = [];
    private string[] _floorSessions = [];
    private string[] _vaultLinks = [];
    private string[] _floorLinks = [];
    private long[] _vaultVersions = [];
    private long[] _floorVersions = [];
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _place = Path.Combine(Path.GetTempPath(), "databunker-features-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_place);
        var services = new ServiceCollection();
        services.AddDatabunker(o =>
            {
                o.DefaultActor = "bench";
                o.AppData.Register("shop");
                o.Shares.MaxReads = 1_000_000;
            })
            .UseSqlite($"Data Source={Path.Combine(_place, "vault.db")}")
            .UseMasterKey(RandomNumberGenerator.GetBytes(32));
        _services = services.BuildServiceProvider();
        await _services.GetRequiredService<IVaultAdministration>().InitializeAsync();
        var vault = _services.GetRequiredService<IPersonalDataVault>();
        _appData = _services.GetRequiredService<IAppDataManager>();
        _sessions = _services.GetRequiredService<ISessionManager>();
        _shares = _services.GetRequiredService<IShareLinkManager>();
        foreach (var chunk in Enumerable.Range(0, Persons).Chunk(1000))
        {
            _vaultPersons = [.. _vaultPersons, .. await vault.CreatePersonsAsync(chunk.Select(VaultBenchmarks.Profile))];
        }

        _floor = new FeatureFloor(Path.Combine(_place, "floor.db"));
        _floorPersons = [.. Enumerable.Range(0, Persons).Select(i => _floor.CreatePerson(VaultBenchmarks.Profile(i)))];
        _vaultSessions = new string[Persons];
        _floorSessions = new string[Persons];
        _vaultLinks = new string[Persons];
        _floorLinks = new string[Persons];
        _vaultVersions = new long[Persons];
        _floorVersions = new long[Persons];
        for (var i = 0; i < Persons; i++)
        {
            _vaultVersions[i] = await _appData.PutAsync(_vaultPersons[i], "shop", Document(i));
            _floorVersions[i] = _floor.PutDocument(_floorPersons[i], "shop", Document(i), null);
            _vaultSessions[i] = (await _sessions.CreateAsync(Document(i), new SessionCreateOptions { Person = _vaultPersons[i], IdleTimeout = TimeSpan.FromHours(1) })).SessionId;
            _floorSessions[i] = _floor.CreateSession(_floorPersons[i], Document(i));
            _vaultLinks[i] = (await _shares.CreateAsync(_vaultPersons[i], new ShareRequest { Recipient = "Bench", Fields = ["/email"], MaxReads = 1_000_000 })).Token;
            _floorLinks[i] = _floor.CreateLink(_floorPersons[i], "/email", 1_000_000);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _floor.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_place, recursive: true);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("SessionGetAndTouch")]
    public JsonElement? Floor_SessionGetAndTouch() => _floor.GetSessionAndTouch(_floorSessions[_next++ % Persons]);

    [Benchmark, BenchmarkCategory("SessionGetAndTouch")]
    public Task<Session?> Vault_SessionGetAndTouch() => _sessions.GetAsync(_vaultSessions[_next++ % Persons]);

    [Benchmark(Baseline = true), BenchmarkCategory("AppDataGet")]
    public JsonElement? Floor_AppDataGet() => _floor.GetDocument(_floorPersons[_next++ % Persons], "shop");

    [Benchmark, BenchmarkCategory("AppDataGet")]
    public Task<AppDocument?> Vault_AppDataGet() => _appData.GetAsync(_vaultPersons[_next++ % Persons], "shop");

    [Benchmark(Baseline = true), BenchmarkCategory("AppDataPut")]
    public long Floor_AppDataPut()
    {
        var i = _next++ % Persons;
        return _floorVersions[i] = _floor.PutDocument(_floorPersons[i], "shop", Document(i), _floorVersions[i]);
    }

    [Benchmark, BenchmarkCategory("AppDataPut")]
    public async Task<long> Vault_AppDataPut()
    {
        var i = _next++ % Persons;
        return _vaultVersions[i] = await _appData.PutAsync(_vaultPersons[i], "shop", Document(i), _vaultVersions[i]);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("ShareRedeem")]
    public JsonElement? Floor_ShareRedeem() => _floor.Redeem(_floorLinks[_next++ % Persons]);

    [Benchmark, BenchmarkCategory("ShareRedeem")]
    public Task<ShareRedemption> Vault_ShareRedeem() => _shares.RedeemAsync(_vaultLinks[_next++ % Persons]);

    private static JsonElement Document(int i) => JsonSerializer.SerializeToElement(new { cart = new[] { $"item-{i}", "item-b" }, size = "M", note = $"deliver to door {i}" });
}
