using System.Collections.Concurrent;
using System.Text.Json;
using Databunker.Core.CrashWorker;
using Databunker.Core.Expiration;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Reliability;

/// <summary>
/// Eight workers run a random mix of every operation against one vault. Each keeps a model of what it
/// owns; some operations contend for a shared pool of emails. The only exceptions allowed are the
/// documented ones, and the final state matches the models.
/// </summary>
[NonParallelizable]
[Category(TestCategories.Slow)]
public sealed class ConcurrencyTests
{
    private const int Workers = 8;
    private const int OperationsPerWorker = 6_250;

    [Test]
    public async Task EightWorkers50000Operations_OnlyDocumentedErrorsAndStateMatchesModel()
    {
        await using var host = await VaultHost.StartAsync(o => o.AuditReads = false);
        var counts = new ConcurrentDictionary<string, int>();
        var models = Enumerable.Range(0, Workers).Select(w => new WorkerModel(w, host, counts)).ToList();

        await Task.WhenAll(models.Select(m => Task.Run(() => m.RunAsync(OperationsPerWorker))));

        var total = counts.Values.Sum();
        total.Should().Be(Workers * OperationsPerWorker);
        foreach (var model in models)
        {
            await model.VerifyAsync();
        }

        counts.Keys.Should().Contain(["create", "bulk", "get", "update", "forget", "tokenize", "detokenize", "delete-token", "expire", "retain-link", "delete-link", "cancel", "pass", "duplicate"]);
        TestContext.Out.WriteLine($"concurrency suite: {Workers} workers, {total} operations: " + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")));
    }

    private sealed class WorkerModel(int worker, VaultHost host, ConcurrentDictionary<string, int> counts)
    {
        private readonly Random _random = new(1000 + worker);
        private readonly Dictionary<Guid, string> _persons = [];
        private readonly HashSet<Guid> _forgotten = [];
        private readonly Dictionary<Guid, (ExpirationState State, ExpirationTicket? Ticket)> _expirations = [];
        private readonly Dictionary<string, (string Value, Guid? Person)> _tokens = [];
        private readonly HashSet<string> _deletedTokens = [];
        private int _n;

        private ITokenizer Tokenizer => host.Services.GetRequiredService<ITokenizer>();

        public async Task RunAsync(int operations)
        {
            for (var i = 0; i < operations; i++)
            {
                var name = await StepAsync();
                counts.AddOrUpdate(name, 1, (_, c) => c + 1);
            }
        }

        public async Task VerifyAsync()
        {
            foreach (var (token, hash) in _persons)
            {
                var user = await host.Vault.GetPersonAsync(PersonLookup.ByToken(token));
                ProfileHash.Of(user!.Profile).Should().Be(hash);
                var status = await host.Expirations.GetStatusAsync(PersonLookup.ByToken(token));
                status!.State.Should().Be(_expirations.TryGetValue(token, out var e) ? e.State : ExpirationState.None);
            }

            foreach (var token in _forgotten)
            {
                (await host.Vault.GetPersonAsync(PersonLookup.ByToken(token))).Should().BeNull();
            }

            var tokens = _tokens.Keys.Concat(_deletedTokens).ToList();
            var values = await Tokenizer.DetokenizeManyAsync(tokens);
            for (var i = 0; i < tokens.Count; i++)
            {
                values[i].Should().Be(_tokens.TryGetValue(tokens[i], out var t) && !(t.Person is { } o && _forgotten.Contains(o)) ? t.Value : null);
            }
        }

        private async Task<string> StepAsync()
        {
            var n = Interlocked.Increment(ref _n);
            var mine = _persons.Keys.ToList();
            var roll = mine.Count < 3 ? 0 : _random.Next(100);
            switch (roll)
            {
                case < 12:
                {
                    var profile = Json(new { email = $"w{worker}-{n}@load.example", n, name = $"Worker {worker}" });
                    _persons[await host.Vault.CreatePersonAsync(profile)] = ProfileHash.Of(profile);
                    return "create";
                }

                case < 15:
                {
                    var profile = Json(new { email = $"shared{_random.Next(10)}@load.example", n });
                    try
                    {
                        _persons[await host.Vault.CreatePersonAsync(profile)] = ProfileHash.Of(profile);
                        return "create";
                    }
                    catch (DuplicateIndexException ex) when (ex.IndexName == "email")
                    {
                        return "duplicate";
                    }
                }

                case < 17:
                {
                    var profiles = Enumerable.Range(0, 5).Select(k => Json(new { login = $"w{worker}-{n}-{k}", k })).ToList();
                    var tokens = await host.Vault.CreatePersonsAsync(profiles);
                    for (var k = 0; k < tokens.Count; k++)
                    {
                        _persons[tokens[k]] = ProfileHash.Of(profiles[k]);
                    }

                    return "bulk";
                }

                case < 32:
                {
                    var token = Pick(mine);
                    ProfileHash.Of((await host.Vault.GetPersonAsync(PersonLookup.ByToken(token)))!.Profile).Should().Be(_persons[token]);
                    return "get";
                }

                case < 45:
                {
                    var token = Pick(mine);
                    var shared = _random.Next(4) == 0;
                    var patch = shared ? Json(new { email = $"shared{_random.Next(10)}@load.example", n }) : Json(new { n, note = $"note {n}" });
                    var before = (await host.Vault.GetPersonAsync(PersonLookup.ByToken(token)))!.Profile;
                    try
                    {
                        (await host.Vault.UpdatePersonAsync(PersonLookup.ByToken(token), patch)).Should().BeTrue();
                    }
                    catch (DuplicateIndexException) when (shared)
                    {
                        return "duplicate";
                    }

                    _persons[token] = ProfileHash.Of(Merge(before, patch));
                    return "update";
                }

                case < 50:
                {
                    var token = Pick(mine);
                    (await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(token))).Should().BeTrue();
                    Forget(token);
                    return "forget";
                }

                case < 62:
                {
                    var owner = _random.Next(3) == 0 ? Pick(mine) : (Guid?)null;
                    var options = (_random.Next(3)) switch
                    {
                        0 => new TokenizeOptions { Person = owner },
                        1 => new TokenizeOptions { Person = owner, Kind = TokenKind.Deterministic, Scope = $"w{worker}" },
                        _ => new TokenizeOptions { Person = owner, Format = TokenFormat.CardNumber, KeepLastFour = true },
                    };
                    var value = $"4921 8170 {_random.Next(1000, 9999)} {_random.Next(1000, 9999)}";
                    var token = await Tokenizer.TokenizeAsync(value, options);
                    _tokens[token] = (value, owner);
                    _deletedTokens.Remove(token);
                    return "tokenize";
                }

                case < 70 when _tokens.Count > 0:
                {
                    var token = _tokens.Keys.ElementAt(_random.Next(_tokens.Count));
                    var expected = _tokens[token].Person is { } o && _forgotten.Contains(o) ? null : _tokens[token].Value;
                    (await Tokenizer.DetokenizeAsync(token)).Should().Be(expected);
                    return "detokenize";
                }

                case < 73 when _tokens.Count > 0:
                {
                    var token = _tokens.Keys.ElementAt(_random.Next(_tokens.Count));
                    var live = !(_tokens[token].Person is { } o && _forgotten.Contains(o));
                    (await Tokenizer.DeleteTokenAsync(token)).Should().Be(live);
                    _tokens.Remove(token);
                    _deletedTokens.Add(token);
                    return "delete-token";
                }

                case < 81:
                {
                    var token = Pick(mine);
                    var ticket = await host.Expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromDays(30));
                    _expirations[token] = (ExpirationState.Waiting, ticket);
                    return "expire";
                }

                case < 86:
                {
                    var waiting = _expirations.Where(e => e.Value.State == ExpirationState.Waiting).Select(e => e.Key).ToList();
                    if (waiting.Count == 0)
                    {
                        (await host.Expirations.RetainAsync("not-a-token")).Should().Be(ExpirationLinkResult.NotFound);
                        return "retain-link";
                    }

                    var token = Pick(waiting);
                    (await host.Expirations.RetainAsync(_expirations[token].Ticket!.RetainToken)).Should().Be(ExpirationLinkResult.Retained);
                    _expirations[token] = (ExpirationState.Retained, null);
                    return "retain-link";
                }

                case < 89:
                {
                    var waiting = _expirations.Where(e => e.Value.State == ExpirationState.Waiting).Select(e => e.Key).ToList();
                    if (waiting.Count == 0)
                    {
                        return "delete-link";
                    }

                    var token = Pick(waiting);
                    (await host.Expirations.DeleteAsync(_expirations[token].Ticket!.DeleteToken)).Should().Be(ExpirationLinkResult.Deleted);
                    Forget(token);
                    return "delete-link";
                }

                case < 93:
                {
                    var token = Pick(mine);
                    (await host.Expirations.CancelAsync(PersonLookup.ByToken(token))).Should().Be(_expirations.ContainsKey(token));
                    _expirations.Remove(token);
                    return "cancel";
                }

                case < 95:
                {
                    (await host.Expirations.RunDueAsync()).Claimed.Should().Be(0, "nothing is due in this suite's frozen time");
                    return "pass";
                }

                default:
                {
                    var token = Pick(mine);
                    var status = await host.Expirations.GetStatusAsync(PersonLookup.ByToken(token));
                    status!.State.Should().Be(_expirations.TryGetValue(token, out var e) ? e.State : ExpirationState.None);
                    return "status";
                }
            }
        }

        private T Pick<T>(List<T> items) => items[_random.Next(items.Count)];

        private void Forget(Guid token)
        {
            _persons.Remove(token);
            _expirations.Remove(token);
            _forgotten.Add(token);
        }

        private static JsonElement Merge(JsonElement profile, JsonElement patch)
        {
            var merged = profile.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
            foreach (var p in patch.EnumerateObject())
            {
                merged[p.Name] = p.Value.Clone();
            }

            return JsonSerializer.SerializeToElement(merged);
        }
    }
}
