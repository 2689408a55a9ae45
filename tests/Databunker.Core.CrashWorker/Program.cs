// The child process of the crash suite: it writes to a vault without pause and reports on stdout, one
// flushed line per operation, what it is about to do ("begin ...") and what is done ("done ..."), until
// the test kills it with SIGKILL. Arguments: database path, base64 key v1, base64 key v2, current version
// (1 or 2), start time (unix ms), random seed.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Databunker.Core;
using Databunker.Core.CrashWorker;
using Databunker.Core.Expiration;
using Databunker.Core.Keys;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;

if (args is ["invariant-check", var checkPath])
{
    // Used by the security suite, run with DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1: can the vault normalise here?
    Console.WriteLine($"normalisation supported: {"e\u0301".Normalize(NormalizationForm.FormC) == "\u00E9"}");
    var check = new ServiceCollection();
    check.AddDatabunker().UseSqlite($"Data Source={checkPath}").UseMasterKey(RandomNumberGenerator.GetBytes(32));
    await using var checkProvider = check.BuildServiceProvider();
    try
    {
        await checkProvider.GetRequiredService<IVaultAdministration>().InitializeAsync();
        Console.WriteLine("opened");
    }
    catch (VaultConfigurationException ex)
    {
        Console.WriteLine($"{nameof(VaultConfigurationException)}: {ex.Message}");
    }

    return;
}

if (args is ["reads", var readsPath, var readsKey, var readsWindow])
{
    // Used by the read-audit crash test: audited reads without pause, "done get N" after each has returned.
    var window = int.Parse(readsWindow, System.Globalization.CultureInfo.InvariantCulture);
    var reads = new ServiceCollection();
    reads.AddDatabunker(o => o.ReadAuditWindow = window).UseSqlite($"Data Source={readsPath}").UseMasterKey(Convert.FromBase64String(readsKey));
    await using var readsProvider = reads.BuildServiceProvider();
    var readsVault = readsProvider.GetRequiredService<IPersonalDataVault>();
    var reader = await readsVault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = $"reader-{Guid.NewGuid():N}@crash.example" }));
    var readsOutput = new LineWriter(new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), bufferSize: 64 * 1024));
    readsOutput.WriteLine($"ready {reader}");
    for (var n = 1; ; n++)
    {
        await readsVault.GetPersonAsync(PersonLookup.ByToken(reader));
        readsOutput.WriteLine($"done get {n}");
    }
}

var path = args[0];
var keys = new Dictionary<int, byte[]> { [1] = Convert.FromBase64String(args[1]), [2] = Convert.FromBase64String(args[2]) };
var current = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
var clock = new SteppingClock(DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture)));
var random = new Random(int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture));

var services = new ServiceCollection();
services.AddSingleton<TimeProvider>(clock);
services.AddDatabunker(o => o.Expiration.BatchSize = 7)
    .UseSqlite($"Data Source={path}")
    .UseMasterKey(keys[current], current)
    .AddPreviousMasterKey(MasterKeySource.FromBytes(keys[3 - current]), 3 - current);
await using var provider = services.BuildServiceProvider();
var vault = provider.GetRequiredService<IPersonalDataVault>();
var expirations = provider.GetRequiredService<IExpirationManager>();
var tokenizer = provider.GetRequiredService<ITokenizer>();
var admin = provider.GetRequiredService<IVaultAdministration>();
await admin.InitializeAsync();

// Each line ends with " end", so that the test can tell a line cut short by the kill from a whole one;
// the large buffer makes each line a single write.
var output = new LineWriter(new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), bufferSize: 64 * 1024));
var mine = new List<Guid>();
output.WriteLine("ready");
for (var n = 0; ; n++)
{
    clock.Step();
    var roll = random.Next(100);
    var id = $"{args[5]}-{n}";
    if (roll < 30 || mine.Count < 5)
    {
        var profile = JsonSerializer.SerializeToElement(new { email = $"p{id}@crash.example", login = $"l{id}", n, note = new string('x', random.Next(1, 400)) });
        output.WriteLine($"begin create {ProfileHash.Of(profile)}");
        var token = await vault.CreatePersonAsync(profile);
        mine.Add(token);
        output.WriteLine($"done create {token} {ProfileHash.Of(profile)}");
    }
    else if (roll < 38)
    {
        var profiles = Enumerable.Range(0, random.Next(2, 20)).Select(i => JsonSerializer.SerializeToElement(new { email = $"b{id}-{i}@crash.example", i })).ToList();
        output.WriteLine("begin bulk");
        var tokens = await vault.CreatePersonsAsync(profiles);
        mine.AddRange(tokens);
        output.WriteLine("done bulk " + string.Join(' ', tokens.Zip(profiles, (t, p) => $"{t}={ProfileHash.Of(p)}")));
    }
    else if (roll < 58)
    {
        var token = mine[random.Next(mine.Count)];
        var user = await vault.GetPersonAsync(PersonLookup.ByToken(token));
        if (user is null)
        {
            continue;
        }

        var patch = JsonSerializer.SerializeToElement(new { n, extra = new string('y', random.Next(0, 300)) });
        var merged = JsonSerializer.SerializeToElement(Merge(user.Profile, patch));
        output.WriteLine($"begin update {token} {ProfileHash.Of(merged)}");
        await vault.UpdatePersonAsync(PersonLookup.ByToken(token), patch);
        output.WriteLine($"done update {token} {ProfileHash.Of(merged)}");
    }
    else if (roll < 66)
    {
        var token = mine[random.Next(mine.Count)];
        output.WriteLine($"begin forget {token}");
        await vault.ForgetPersonAsync(PersonLookup.ByToken(token));
        mine.Remove(token);
        output.WriteLine($"done forget {token}");
    }
    else if (roll < 80)
    {
        var owner = random.Next(3) == 0 && mine.Count > 0 ? mine[random.Next(mine.Count)] : (Guid?)null;
        var value = $"4921 8170 {random.Next(1000, 9999)} {random.Next(1000, 9999)}";
        var format = random.Next(2) == 0 ? TokenFormat.Opaque : TokenFormat.FormatPreserving;
        output.WriteLine("begin tokenize");
        try
        {
            var token = await tokenizer.TokenizeAsync(value, new TokenizeOptions { Format = format, Person = owner });
            output.WriteLine($"done tokenize {Uri.EscapeDataString(token)} {Uri.EscapeDataString(value)} {owner?.ToString() ?? "-"}");
        }
        catch (PersonNotFoundException)
        {
            output.WriteLine("done tokenize-refused");
        }
    }
    else if (roll < 90)
    {
        var token = mine[random.Next(mine.Count)];
        output.WriteLine($"begin expire {token}");
        try
        {
            var ticket = await expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromHours(random.Next(1, 5)));
            output.WriteLine($"done expire {token} {ticket.DueAt.ToUnixTimeMilliseconds()}");
        }
        catch (PersonNotFoundException)
        {
            output.WriteLine("done expire-refused");
        }
    }
    else if (roll < 97)
    {
        output.WriteLine($"begin pass {clock.GetUtcNow().ToUnixTimeMilliseconds()}");
        var pass = await expirations.RunDueAsync();
        output.WriteLine($"done pass {clock.GetUtcNow().ToUnixTimeMilliseconds()} {pass.Deleted}");
    }
    else
    {
        output.WriteLine($"begin rotate {current}");
        await admin.RewrapKeysAsync();
        output.WriteLine($"done rotate {current}");
    }
}

static Dictionary<string, JsonElement> Merge(JsonElement profile, JsonElement patch)
{
    var result = profile.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    foreach (var p in patch.EnumerateObject())
    {
        result[p.Name] = p.Value.Clone();
    }

    return result;
}

/// <summary>Writes one whole, flushed line per report, marked complete by a trailing " end".</summary>
internal sealed class LineWriter(StreamWriter inner)
{
    public void WriteLine(string line)
    {
        inner.Write(line + " end\n");
        inner.Flush();
    }
}

/// <summary>A clock that moves ten minutes per operation, so expirations fall due within a run.</summary>
internal sealed class SteppingClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Step() => _now += TimeSpan.FromMinutes(10);
}
