using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Databunker.Core.CrashWorker;
using Databunker.Core.Expiration;
using Databunker.Core.Keys;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Reliability;

/// <summary>
/// A child process writes to a vault without pause (creates, bulk creates, updates, forgets,
/// tokenizations, expirations, scheduler passes, key rotations) and is killed with SIGKILL at random
/// moments. After every kill the vault opens, SQLite's integrity check passes, nobody is half-written,
/// and every operation the child reported as done is there exactly.
/// </summary>
[NonParallelizable]
[Category(TestCategories.Slow)]
public sealed class CrashTests
{
    private static int Kills => int.TryParse(Environment.GetEnvironmentVariable("DATABUNKER_CRASH_KILLS"), out var n) ? n : 50;

    [Test]
    public async Task ChildKilledAtRandom_VaultOpensConsistentAndLosesNothingReported()
    {
        var path = VaultHost.NewDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var keys = new Dictionary<int, byte[]> { [1] = RandomNumberGenerator.GetBytes(32), [2] = RandomNumberGenerator.GetBytes(32) };
        var model = new CrashModel();
        var random = new Random(20261126);
        var clock = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var verified = 0;

        for (var run = 0; run < Kills; run++)
        {
            var current = run % 2 + 1;
            var lines = await RunAndKillAsync(path, keys, current, clock, seed: run, killAfter: random.Next(1, 250));
            model.Apply(lines);
            clock = Math.Max(clock, model.LatestTime) + (long)TimeSpan.FromDays(1).TotalMilliseconds;

            await using var host = await VaultHost.StartAsync(o => o.AuditReads = false, database: path, keys: b => b
                .UseMasterKey(keys[current], current)
                .AddPreviousMasterKey(MasterKeySource.FromBytes(keys[3 - current]), 3 - current));
            AssertStructurallyWhole(path);
            verified += await model.VerifyAsync(host);
        }

        TestContext.Out.WriteLine($"crash suite: {Kills} kills survived, {model.DoneOperations} reported operations, {verified} checks of reported state, 0 lost");
    }

    [Test]
    public async Task ChildKilledWhileReading_LosesAtMostTheReadAuditWindow()
    {
        const int Window = 64;
        var random = new Random(20261127);
        var key = RandomNumberGenerator.GetBytes(32);
        var lost = new List<long>();
        for (var run = 0; run < 6; run++)
        {
            var path = VaultHost.NewDatabasePath();
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var lines = await RunAndKillAsync([WorkerPath(), "reads", path, Convert.ToBase64String(key), Window.ToString(CultureInfo.InvariantCulture)], killAfter: random.Next(100, 3000));
            var reader = Guid.Parse(lines.Single(l => l.StartsWith("ready ", StringComparison.Ordinal))[6..]);
            var returned = lines.Count(l => l.StartsWith("done get ", StringComparison.Ordinal));

            // Opening the vault again must find a whole database and an intact chain, whatever the kill cut short.
            await using (var host = await VaultHost.StartAsync(database: path, masterKey: key))
            {
                (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
            }

            var audited = Scalar<long>(path, $"SELECT COUNT(*) FROM audit_events WHERE operation = 'person.get' AND subject = X'{Convert.ToHexString(reader.ToByteArray())}'");
            audited.Should().BeInRange(returned - Window, returned + 1, $"run {run}: {returned} reads returned before the kill, and at most {Window} of their events may be lost");
            lost.Add(Math.Max(0, returned - audited));
        }

        TestContext.Out.WriteLine($"read-audit crash test: 6 kills, read events lost per kill {string.Join(", ", lost)} (window {Window})");
    }

    private static void AssertStructurallyWhole(string path)
    {
        Scalar<string>(path, "PRAGMA integrity_check").Should().Be("ok");
        var orphans = new Dictionary<string, string>
        {
            ["profile without key"] = "SELECT COUNT(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM data_keys k WHERE k.owner = u.token)",
            ["key without profile"] = "SELECT COUNT(*) FROM data_keys k WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.token = k.owner)",
            ["index without person"] = "SELECT COUNT(*) FROM user_indexes i WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.token = i.token)",
            ["person without index"] = "SELECT COUNT(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM user_indexes i WHERE i.token = u.token)",
            ["index list out of step"] = "SELECT COUNT(*) FROM users u WHERE COALESCE(length(u.index_hashes), 0) / 32 <> (SELECT COUNT(*) FROM user_indexes i WHERE i.token = u.token) " +
                "OR EXISTS (SELECT 1 FROM user_indexes i WHERE i.token = u.token AND instr(u.index_hashes, i.hash) = 0)",
            ["expiration without person"] = "SELECT COUNT(*) FROM expirations e WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.token = e.token)",
            ["token of a forgotten owner"] = "SELECT COUNT(*) FROM tokens t WHERE t.owner IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.token = t.owner)",
            ["person and tombstone"] = "SELECT COUNT(*) FROM users u JOIN tombstones t ON t.token = u.token",
            ["create without audit"] = "SELECT COUNT(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.subject = u.token AND a.operation = 'person.create')",
        };
        foreach (var (what, sql) in orphans)
        {
            Scalar<long>(path, sql).Should().Be(0, what);
        }
    }

    private static Task<List<string>> RunAndKillAsync(string path, Dictionary<int, byte[]> keys, int current, long clock, int seed, int killAfter) =>
        RunAndKillAsync(
            [
                WorkerPath(), path, Convert.ToBase64String(keys[1]), Convert.ToBase64String(keys[2]),
                current.ToString(CultureInfo.InvariantCulture), clock.ToString(CultureInfo.InvariantCulture), seed.ToString(CultureInfo.InvariantCulture),
            ],
            killAfter);

    private static async Task<List<string>> RunAndKillAsync(string[] arguments, int killAfter)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        using var child = Process.Start(start)!;
        var errors = child.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        var done = 0;
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            lines.Add(line);
            if (line.StartsWith("done ", StringComparison.Ordinal) && ++done >= killAfter)
            {
                child.Kill(entireProcessTree: true);
                break;
            }
        }

        while (await child.StandardOutput.ReadLineAsync() is { } rest)
        {
            lines.Add(rest);
        }

        // A line the kill cut short lacks its " end": the operation it reports stays in flight.
        lines = [.. lines.Where(l => l.EndsWith(" end", StringComparison.Ordinal)).Select(l => l[..^4])];

        await child.WaitForExitAsync();
        lines.Should().Contain(l => l.StartsWith("ready", StringComparison.Ordinal), $"the child started: {await errors}");
        child.ExitCode.Should().Be(137, $"the child was killed with SIGKILL, not stopped by an error: {await errors}");
        return lines;
    }

    private static string DotnetHost() =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";

    private static string WorkerPath()
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = bin.Parent!.Name;
        var tests = bin.Parent.Parent!.Parent!.Parent!.FullName;
        var worker = Path.Combine(tests, "Databunker.Core.CrashWorker", "bin", configuration, bin.Name, "Databunker.Core.CrashWorker.dll");
        File.Exists(worker).Should().BeTrue($"the crash worker is built at {worker}");
        return worker;
    }

    /// <summary>What the child reported, and what may or may not have happened to the operation in flight at the kill.</summary>
    private sealed class CrashModel
    {
        private readonly Dictionary<Guid, string> _persons = [];
        private readonly HashSet<Guid> _forgotten = [];
        private readonly Dictionary<Guid, long> _due = [];
        private readonly List<(string Token, string Value, Guid? Person)> _tokens = [];
        private readonly Dictionary<Guid, string> _uncertainUpdate = [];
        private readonly HashSet<Guid> _uncertainForget = [];
        private readonly HashSet<Guid> _uncertainExpire = [];

        public long LatestTime { get; private set; }

        public int DoneOperations { get; private set; }

        public void Apply(List<string> lines)
        {
            string? inFlight = null;
            foreach (var line in lines)
            {
                var part = line.Split(' ');
                if (part[0] == "begin")
                {
                    inFlight = line;
                    continue;
                }

                if (part[0] != "done")
                {
                    continue;
                }

                inFlight = null;
                DoneOperations++;
                switch (part[1])
                {
                    case "create":
                        _persons[Guid.Parse(part[2])] = part[3];
                        break;
                    case "bulk":
                        foreach (var pair in part.Skip(2))
                        {
                            _persons[Guid.Parse(pair[..36])] = pair[37..];
                        }

                        break;
                    case "update":
                        _persons[Guid.Parse(part[2])] = part[3];
                        break;
                    case "forget":
                        Forget(Guid.Parse(part[2]));
                        break;
                    case "tokenize":
                        _tokens.Add((Uri.UnescapeDataString(part[2]), Uri.UnescapeDataString(part[3]), part[4] == "-" ? null : Guid.Parse(part[4])));
                        break;
                    case "expire":
                        _due[Guid.Parse(part[2])] = long.Parse(part[3], CultureInfo.InvariantCulture);
                        break;
                    case "pass":
                        var at = long.Parse(part[2], CultureInfo.InvariantCulture);
                        LatestTime = Math.Max(LatestTime, at);
                        foreach (var token in _due.Where(d => d.Value <= at).Select(d => d.Key).ToList())
                        {
                            Forget(token);
                        }

                        break;
                }
            }

            if (inFlight?.Split(' ') is { } op)
            {
                switch (op[1])
                {
                    case "update":
                        _uncertainUpdate[Guid.Parse(op[2])] = op[3];
                        break;
                    case "forget":
                        _uncertainForget.Add(Guid.Parse(op[2]));
                        break;
                    case "expire":
                        _uncertainExpire.Add(Guid.Parse(op[2]));
                        break;
                    case "pass":
                        var at = long.Parse(op[2], CultureInfo.InvariantCulture);
                        _uncertainForget.UnionWith(_due.Where(d => d.Value <= at).Select(d => d.Key));
                        break;
                }
            }
        }

        /// <summary>Checks the vault against the model, then settles what was in flight to what the vault holds.</summary>
        public async Task<int> VerifyAsync(VaultHost host)
        {
            var checks = 0;
            foreach (var token in _uncertainExpire)
            {
                if (await host.Expirations.GetStatusAsync(PersonLookup.ByToken(token)) is { State: ExpirationState.Waiting, DueAt: { } due })
                {
                    _due[token] = due.ToUnixTimeMilliseconds();
                }
            }

            foreach (var (token, hash) in _persons.ToList())
            {
                var user = await host.Vault.GetPersonAsync(PersonLookup.ByToken(token));
                if (user is null && _uncertainForget.Contains(token))
                {
                    Forget(token);
                    continue;
                }

                user.Should().NotBeNull($"person {token} was reported created and not forgotten");
                var actual = ProfileHash.Of(user!.Profile);
                if (_uncertainUpdate.TryGetValue(token, out var pending) && actual == pending)
                {
                    _persons[token] = pending;
                }

                actual.Should().Be(_persons[token], $"person {token} holds the last reported profile");
                checks++;
            }

            foreach (var token in _forgotten)
            {
                (await host.Vault.GetPersonAsync(PersonLookup.ByToken(token))).Should().BeNull($"person {token} was reported forgotten");
                checks++;
            }

            var tokenizer = host.Services.GetRequiredService<ITokenizer>();
            var values = await tokenizer.DetokenizeManyAsync(_tokens.Select(t => t.Token));
            for (var i = 0; i < _tokens.Count; i++)
            {
                var owner = _tokens[i].Person;
                values[i].Should().Be(owner is { } o && _forgotten.Contains(o) ? null : _tokens[i].Value, $"token {i} was reported");
                checks++;
            }

            _uncertainUpdate.Clear();
            _uncertainForget.Clear();
            _uncertainExpire.Clear();
            return checks;
        }

        private void Forget(Guid token)
        {
            _persons.Remove(token);
            _due.Remove(token);
            _forgotten.Add(token);
        }
    }
}
