using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Databunker.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// The audit chain's verification over 100,000 events, reported per event, beside a floor that does the
/// same work by hand: one streaming SELECT in sequence order and one HMAC-SHA256 per row over the previous
/// link and the row's fields, compared with the stored link.
/// </summary>
[MemoryDiagnoser]
public class AuditChainBenchmarks
{
    private const int Events = 100_000;
    private string _folder = string.Empty;
    private string _database = string.Empty;
    private ServiceProvider _services = null!;
    private IVaultAdministration _administration = null!;
    private readonly byte[] _floorKey = RandomNumberGenerator.GetBytes(32);

    [GlobalSetup]
    public async Task Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "databunker-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _database = Path.Combine(_folder, "vault.db");
        (_services, _) = await VaultBenchmarks.Open(_database);
        _administration = _services.GetRequiredService<IVaultAdministration>();
        var storage = _services.GetRequiredService<IAuditStore>();
        for (var batch = 0; batch < Events / 10_000; batch++)
        {
            await storage.AppendAuditAsync(
                Enumerable.Range(0, 10_000).Select(i => new AuditRecord(0, 1_000_000 + i, "bench", AuditOperations.PersonGet, Guid.NewGuid(), AuditOutcomes.Success, null)).ToList(),
                default);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<bool> Vault_VerifyAuditTrail() => (await _administration.VerifyAuditTrailAsync()).IsIntact;

    [Benchmark(OperationsPerInvoke = Events, Baseline = true)]
    public int Floor_VerifyChain()
    {
        using var connection = new SqliteConnection($"Data Source={_database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT seq, at, actor, operation, subject, outcome, details, link FROM audit_events WHERE link IS NOT NULL ORDER BY seq;";
        using var reader = select.ExecuteReader();
        var previous = new byte[32];
        var buffer = new byte[1024];
        var matches = 0;
        while (reader.Read())
        {
            var length = 0;
            previous.CopyTo(buffer, length);
            length += 32;
            BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(length), reader.GetInt64(0));
            BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(length + 8), reader.GetInt64(1));
            length += 16;
            length += Encoding.UTF8.GetBytes(reader.GetString(2), buffer.AsSpan(length));
            length += Encoding.UTF8.GetBytes(reader.GetString(3), buffer.AsSpan(length));
            if (!reader.IsDBNull(4))
            {
                length += (int)reader.GetBytes(4, 0, buffer, length, 16);
            }

            length += Encoding.UTF8.GetBytes(reader.GetString(5), buffer.AsSpan(length));
            var link = HMACSHA256.HashData(_floorKey, buffer.AsSpan(0, length));
            var stored = (byte[])reader.GetValue(7);
            if (CryptographicOperations.FixedTimeEquals(link, stored))
            {
                matches++;
            }

            previous = stored;
        }

        return matches;
    }
}
