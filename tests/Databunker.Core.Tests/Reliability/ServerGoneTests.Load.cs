using System.Collections.Concurrent;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Reliability;

public sealed partial class ServerGoneTests
{
    private const int Seeded = 150;
    private const int Halts = 4;

    [Test]
    public async Task ServerStoppedDuringCreatesAndForgets_EveryCallCommittedOrFailedAsTransient_NoForgetHalfDone()
    {
        await using var host = await StartAsync();
        var tokenizer = host.Services.GetRequiredService<ITokenizer>();
        var seeded = new Dictionary<int, (Guid Person, string Token)>();
        for (var i = 0; i < Seeded; i++)
        {
            var person = await host.Vault.CreatePersonAsync(Person(i));
            seeded[i] = (person, await tokenizer.TokenizeAsync(NationalId(i), new TokenizeOptions { Person = person }));
        }

        var indexesPerPerson = host.Scalar<long>("SELECT COUNT(*) FROM user_indexes") / Seeded;
        var toForget = new ConcurrentQueue<int>(Enumerable.Range(0, Seeded));
        var outcomes = new ConcurrentQueue<Outcome>();
        using var progress = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        int done = 0, failed = 0;

        async Task WorkAsync(int worker)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var f = -1;
                var forget = n % 2 == 1 && toForget.TryDequeue(out f);
                var index = forget ? f : 1_000_000 * (worker + 1) + n;
                try
                {
                    Guid? token = forget
                        ? await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(seeded[index].Person)) ? seeded[index].Person : null
                        : await host.Vault.CreatePersonAsync(Created(index));
                    outcomes.Enqueue(new(forget ? "forget" : "create", index, token, Done: true));
                    Interlocked.Increment(ref done);
                }
                catch (DatabunkerStorageException ex) when (ex.IsTransient)
                {
                    outcomes.Enqueue(new(forget ? "forget" : "create", index, null, Done: false));
                    Interlocked.Increment(ref failed);
                }
                finally
                {
                    progress.Release();
                }
            }
        }

        var workers = Task.WhenAll(Enumerable.Range(0, 3).Select(w => Task.Run(() => WorkAsync(w))));
        for (var round = 0; round < Halts; round++)
        {
            var (doneBefore, failedBefore) = (Volatile.Read(ref done), Volatile.Read(ref failed));
            await WaitAsync(progress, () => Volatile.Read(ref done) >= doneBefore + 25, workers);
            _cluster.Halt(round % 2 == 0 ? "fast" : "immediate");
            await WaitAsync(progress, () => Volatile.Read(ref failed) >= failedBefore + 10, workers);
            _cluster.Resume();
        }

        var doneAtEnd = Volatile.Read(ref done);
        await WaitAsync(progress, () => Volatile.Read(ref done) >= doneAtEnd + 25, workers);
        await stop.CancelAsync();
        await workers; // Any other failure than a transient DatabunkerStorageException ends its worker and fails here.

        var inDoubt = 0;
        foreach (var outcome in outcomes.Where(o => o.Kind == "create"))
        {
            var found = await host.Vault.GetPersonAsync(PersonLookup.ByEmail($"created{outcome.Index}@gone.example"));
            if (outcome.Done)
            {
                found!.Token.Should().Be(outcome.Token!.Value, "an acknowledged create is there");
            }
            else if (found is not null)
            {
                inDoubt++;
            }

            if (found is not null)
            {
                SameJson(found.Profile, Created(outcome.Index)).Should().BeTrue();
            }
        }

        var forgets = outcomes.Where(o => o.Kind == "forget").ToList();
        var forgottenAfterFailure = 0;
        foreach (var outcome in forgets)
        {
            var (person, token) = seeded[outcome.Index];
            var gone = await AssertWholeAsync(host, person, token, outcome.Index, indexesPerPerson);
            if (outcome.Done)
            {
                gone.Should().BeTrue("an acknowledged forget is done");
            }
            else
            {
                forgottenAfterFailure += gone ? 1 : 0;
            }
        }

        (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
        TestContext.Out.WriteLine(
            $"server gone during writes: {Halts} stops (fast and immediate), {done} creates and forgets acknowledged, {failed} refused as transient " +
            $"({inDoubt} refused creates and {forgottenAfterFailure} refused forgets had committed before the connection dropped), " +
            $"{forgets.Count} forgets checked whole, 0 half done, 0 acknowledged lost");
    }

    /// <summary>A profile with only an email, so that any number of them are valid.</summary>
    private static System.Text.Json.JsonElement Created(int i) => Json(new { email = $"created{i}@gone.example", name = $"Created {i}" });

    /// <summary>Asserts that <paramref name="person"/> is either fully there or fully gone; returns whether gone.</summary>
    private static async Task<bool> AssertWholeAsync(VaultHost host, Guid person, string token, int index, long indexes)
    {
        var id = new { id = person.ToByteArray() };
        long Count(string sql) => host.Scalar<long>(sql, id);
        var rows = new[]
        {
            Count("SELECT COUNT(*) FROM users WHERE token = @id"),
            Count("SELECT COUNT(*) FROM data_keys WHERE owner = @id"),
            Count("SELECT COUNT(*) FROM tokens WHERE owner = @id"),
            Count("SELECT COUNT(*) FROM user_indexes WHERE token = @id"),
        };
        var tombstone = Count("SELECT COUNT(*) FROM tombstones WHERE token = @id");
        var profile = await host.Vault.GetPersonAsync(PersonLookup.ByEmail($"person{index:D5}@mail-{index % 7}.example"));
        var value = await host.Services.GetRequiredService<ITokenizer>().DetokenizeAsync(token);
        if (tombstone == 1)
        {
            rows.Should().AllBeEquivalentTo(0L, $"person {index} is forgotten: no profile, key, token or index");
            (profile, value).Should().Be((null, null));
            return true;
        }

        rows.Should().Equal([1L, 1L, 1L, indexes], $"person {index} is not forgotten: all of them is there");
        SameJson(profile!.Profile, Person(index)).Should().BeTrue();
        value.Should().Be(NationalId(index));
        return false;
    }
}
