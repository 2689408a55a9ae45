using System.Diagnostics;
using Databunker.Core.Expiration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// One due-work pass that forgets many due persons, beside the floor of its store (<see cref="Floor.RunDue"/>,
/// <see cref="PostgreSqlFloor.RunDue"/>): the claims of 500 the vault makes, each person forgotten in a transaction of
/// their own as the vault does, and then each claim's persons in one transaction.
/// </summary>
internal sealed partial class ScaleFigures
{
    private const string DueHeader =
        "| Store | Due persons | Vault pass s | Vault persons/s | Floor persons/s, a transaction per person | Floor persons/s, a transaction per 500 | Vault/floor time, per person | Vault/floor time, per 500 |";

    /// <summary>
    /// On a store of its own: <c>--due</c> persons in the vault, each with an expiration started for an hour; the
    /// vault's clock (a <see cref="FakeTimeProvider"/>) moved past the hour; then the timed pass. The floor gets as many
    /// persons, already due, and its timed pass.
    /// </summary>
    private async Task MeasureDueAsync()
    {
        var due = _options.Due;
        using var store = BenchStore.Create(Store);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (services, vault) = await store.OpenVaultAsync(services: s => s.AddSingleton<TimeProvider>(time));
        TimeSpan vaultPass;
        await using (services)
        {
            var tokens = new List<Guid>(due);
            for (var first = 0; first < due; first += Chunk)
            {
                tokens.AddRange(await vault.CreatePersonsAsync(Enumerable.Range(first, Math.Min(Chunk, due - first)).Select(VaultBenchmarks.Profile)));
            }

            var expirations = services.GetRequiredService<IExpirationManager>();
            var started = 0;
            await Parallel.ForEachAsync(tokens, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (token, cancellationToken) =>
            {
                await expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromHours(1), cancellationToken);
                var count = Interlocked.Increment(ref started);
                if (count % ProgressEvery == 0 || count == due)
                {
                    Progress($"{Store}: {count:N0} of {due:N0} expirations started in the vault");
                }
            });
            time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMilliseconds(1));
            var pass = Stopwatch.GetTimestamp();
            var done = await services.GetRequiredService<IVaultAdministration>().RunDueWorkAsync();
            vaultPass = Stopwatch.GetElapsedTime(pass);
            if (done.GetValueOrDefault("expiration") != due)
            {
                throw new InvalidOperationException($"The pass forgot {done.GetValueOrDefault("expiration")} persons of {due}.");
            }
        }

        // The floor, twice on fresh due persons: a transaction per person as the vault, then one per claim of 500.
        using var floor = await store.OpenFloorAsync();
        var perPerson = FloorPass(floor, first: due, perBatch: false);
        var perBatch = FloorPass(floor, first: 2 * due, perBatch: true);
        Row(DueHeader,
            $"| {Store} | {due:N0} | {vaultPass.TotalSeconds:N2} | {due / vaultPass.TotalSeconds:N0} | {due / perPerson.TotalSeconds:N0} | {due / perBatch.TotalSeconds:N0} | {vaultPass / perPerson:N2} | {vaultPass / perBatch:N2} |");
    }

    /// <summary>Fills the floor with <c>--due</c> persons already due, from email number <paramref name="first"/>, and times its pass.</summary>
    private TimeSpan FloorPass(IFloor floor, int first, bool perBatch)
    {
        var due = _options.Due;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var from = first; from < first + due; from += 1_000)
        {
            var people = Enumerable.Range(from, Math.Min(1_000, first + due - from)).Select(i => (VaultBenchmarks.Profile(i), VaultBenchmarks.Email(i))).ToList();
            AddDue(floor, people, now - 1);
        }

        Progress($"{Store}: {due:N0} due persons in the floor; its pass, a transaction per {(perBatch ? "claim of 500" : "person")}");
        var started = Stopwatch.GetTimestamp();
        var forgotten = floor switch
        {
            Floor sqlite => sqlite.RunDue(now, perBatch),
            PostgreSqlFloor postgreSql => postgreSql.RunDue(now, perBatch),
            _ => throw new NotSupportedException(floor.GetType().Name),
        };
        var elapsed = Stopwatch.GetElapsedTime(started);
        return forgotten == due ? elapsed : throw new InvalidOperationException($"The floor forgot {forgotten} persons of {due}.");
    }

    /// <summary>Persons in the floor with an expiration due at <paramref name="dueAt"/>, as each floor stores them.</summary>
    private static void AddDue(IFloor floor, IReadOnlyList<(System.Text.Json.JsonElement Profile, string Email)> people, long dueAt)
    {
        switch (floor)
        {
            case Floor sqlite:
                foreach (var (profile, email) in people)
                {
                    sqlite.StartExpiration(sqlite.Create(profile, email), dueAt);
                }

                break;
            case PostgreSqlFloor postgreSql:
                postgreSql.CreateDue(people, dueAt);
                break;
            default:
                throw new NotSupportedException(floor.GetType().Name);
        }
    }
}
