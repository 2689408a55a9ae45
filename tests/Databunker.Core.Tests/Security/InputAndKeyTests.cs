using System.Security.Cryptography;
using System.Text;
using Databunker.Core.Keys;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Security;

/// <summary>Defects 5, 7, 9, 10, 11, 12 and 13 of the second security review (SQLite; Unix file modes).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class InputAndKeyTests
{
    private VaultHost _host = null!;

    [SetUp]
    public async Task Start() => _host = await VaultHost.StartAsync();

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [TestCase("alice@bücher.de", "alice@xn--bcher-kva.de")]
    [TestCase("alice@BÜCHER.de", "Alice@xn--bcher-kva.DE")]
    [TestCase("+44 (0) 20 7946 0958", "+44 20 7946 0958")]
    [TestCase("0044 (0)20 7946 0958", "+442079460958")]
    public async Task TwoSpellingsOfOneValue_AreOnePerson(string first, string second)
    {
        var kind = first.Contains('@', StringComparison.Ordinal) ? "email" : "phone";
        var token = await _host.Vault.CreatePersonAsync(Json(new Dictionary<string, string> { [kind] = first }));
        var lookup = kind == "email" ? PersonLookup.ByEmail(second) : PersonLookup.ByPhone(second);

        (await _host.Vault.GetPersonAsync(lookup))!.Token.Should().Be(token);
        var again = () => _host.Vault.CreatePersonAsync(Json(new Dictionary<string, string> { [kind] = second }));
        await again.Should().ThrowAsync<DuplicateIndexException>();
    }

    [TestCase("email", "ali\u200Bce@example.com")]
    [TestCase("email", "alice@exam\u202Eple.com")]
    [TestCase("login", "al\u200Dice")]
    [TestCase("login", "alice\u2066")]
    [TestCase("phone", "-44 20 7946 0958")]
    public async Task InvisibleCharactersAndLeadingDashes_AreRefused(string field, string value)
    {
        var act = () => _host.Vault.CreatePersonAsync(Json(new Dictionary<string, string> { [field] = value }));
        (await act.Should().ThrowAsync<VaultInputException>()).Which.Field.Should().Be(field);
    }

    [TestCase("alice#@example.com", '\uD800')]
    [TestCase("bob#", '\uDC00')]
    public async Task LookupsWithLoneSurrogates_AreRefused(string text, char surrogate)
    {
        // Built here: an attribute's string cannot carry a lone surrogate through the assembly's metadata.
        var value = text.Replace('#', surrogate);
        var act = () => _host.Vault.GetPersonAsync(value.Contains('@', StringComparison.Ordinal) ? PersonLookup.ByEmail(value) : PersonLookup.ByLogin(value));
        await act.Should().ThrowAsync<VaultInputException>();
    }

    [Test]
    public void Normalisation_InGlobalizationInvariantMode_RefusesToStart()
    {
        // A child process in invariant mode, as Alpine and chiseled images run by default.
        var bin = new DirectoryInfo(AppContext.BaseDirectory);
        var worker = Path.Combine(bin.Parent!.Parent!.Parent!.Parent!.FullName, "Databunker.Core.CrashWorker", "bin", bin.Parent.Name, bin.Name, "Databunker.Core.CrashWorker.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(worker);
        start.ArgumentList.Add("invariant-check");
        start.ArgumentList.Add(VaultHost.NewDatabasePath());
        start.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();

        output.Should().Contain("normalisation supported: False");
        output.Should().Contain("VaultConfigurationException").And.Contain("globalization-invariant mode");
    }

    [Test]
    public async Task Profiles_NestedPastTheReadLimit_AreRefusedOnWrite()
    {
        static System.Text.Json.JsonElement Nested(int depth)
        {
            var inner = "1";
            for (var i = 1; i < depth; i++)
            {
                inner = "{\"x\":" + inner + "}";
            }

            return JsonDocumentParse("{\"login\":\"deep\",\"x\":" + inner + "}");
        }

        var deepest = await _host.Vault.CreatePersonAsync(Nested(64));
        (await _host.Vault.GetPersonAsync(PersonLookup.ByToken(deepest))).Should().NotBeNull("64 levels are stored and read back");
        var act = () => _host.Vault.CreatePersonAsync(Nested(71));
        await act.Should().ThrowAsync<VaultInputException>();
        var patch = () => _host.Vault.UpdatePersonAsync(PersonLookup.ByToken(deepest), Nested(65));
        await patch.Should().ThrowAsync<VaultInputException>();
    }

    [Test]
    public async Task ManyItemCalls_AreBounded()
    {
        await using var host = await VaultHost.StartAsync(configure: o => o.MaxBatchItems = 5);
        var tokenizer = host.Services.GetRequiredService<Databunker.Core.Tokenization.ITokenizer>();

        var create = () => host.Vault.CreatePersonsAsync(Enumerable.Range(0, 6).Select(Person));
        await create.Should().ThrowAsync<VaultInputException>().WithMessage("*MaxBatchItems*");
        var tokenize = () => tokenizer.TokenizeManyAsync(Enumerable.Range(0, 6).Select(i => $"v{i}"));
        await tokenize.Should().ThrowAsync<VaultInputException>();
        var detokenize = () => tokenizer.DetokenizeManyAsync(Enumerable.Range(0, 6).Select(i => $"t{i}"));
        await detokenize.Should().ThrowAsync<VaultInputException>();
        host.Scalar<long>("SELECT COUNT(*) FROM users").Should().Be(0, "nothing of a refused call is stored");
        (await host.Vault.CreatePersonsAsync(Enumerable.Range(0, 5).Select(Person))).Should().HaveCount(5);
    }

    [Test]
    public async Task Records_DoNotPrintPersonalData()
    {
        var token = await _host.Vault.CreatePersonAsync(Json(new { email = "secret.person@example.com", name = "Secret Name" }));
        await _host.Vault.UpdatePersonAsync(PersonLookup.ByToken(token), Json(new { name = "Other Name" }));
        var user = await _host.Vault.GetPersonAsync(PersonLookup.ByToken(token));
        var events = await _host.Vault.GetAuditEventsAsync(token);

        user!.ToString().Should().NotContain("secret.person").And.NotContain("Secret Name").And.Contain(token.ToString());
        events.Should().Contain(e => e.Details != null && e.Details.Contains("name", StringComparison.Ordinal));
        events.Select(e => e.ToString()).Should().OnlyContain(text => !text.Contains("\"name\"", StringComparison.Ordinal));
    }

    [Test]
    public async Task NewVaultFiles_AreOwnerOnly_AndAnOpenFileIsReported()
    {
        await _host.Vault.CreatePersonAsync(Json(new { login = "files" }));
        foreach (var file in new[] { _host.Database, _host.Database + "-wal", _host.Database + "-shm" })
        {
            File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, file);
        }

        var shared = VaultHost.NewDatabasePath();
        var key = RandomNumberGenerator.GetBytes(32);
        await (await VaultHost.StartAsync(database: shared, masterKey: key)).DisposeAsync();
        File.SetUnixFileMode(shared, File.GetUnixFileMode(shared) | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var reopened = await VaultHost.StartAsync(database: shared, masterKey: key);
        reopened.Logs.Lines.Should().Contain(l => l.Contains("can be read by other users", StringComparison.Ordinal));
    }

    [Test]
    public async Task Compaction_BlockedByAReader_IsReported_AndFinishesLater()
    {
        await using var host = await VaultHost.StartAsync(database: VaultHost.NewDatabasePath());
        var token = await host.Vault.CreatePersonAsync(Json(new { email = "wal@example.com", name = "Walter" }));
        await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(token));

        using (var reader = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={host.Database}"))
        {
            reader.Open();
            using var transaction = reader.BeginTransaction(deferred: true);
            using var read = reader.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = "PRAGMA busy_timeout=0; SELECT COUNT(*) FROM audit_events;";
            read.ExecuteScalar();
            (await host.Administration.CompactAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token)).Should().BeFalse();
            host.Logs.Lines.Should().Contain(l => l.Contains("Compaction could not finish", StringComparison.Ordinal));
        }

        (await host.Administration.CompactAsync()).Should().BeTrue();
        new FileInfo(host.Database + "-wal").Length.Should().Be(0);
    }

    [Test]
    public async Task MasterKeys_ThatAreNotRandom_AreRefused()
    {
        var folder = Path.GetDirectoryName(VaultHost.NewDatabasePath())!;
        Directory.CreateDirectory(folder);
        string File_(string name, byte[] content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
        {
            var path = Path.Combine(folder, $"{Guid.NewGuid():N}-{name}");
            File.WriteAllBytes(path, content);
            File.SetUnixFileMode(path, mode);
            return path;
        }

        var random = RandomNumberGenerator.GetBytes(32);
        var cases = new (string Name, Action<IDatabunkerBuilder> Keys, string Says)[]
        {
            ("zero bytes", b => b.UseMasterKey(new byte[32]), "all zero"),
            ("one repeated byte", b => b.UseMasterKey(Enumerable.Repeat((byte)7, 32).ToArray()), "too few distinct"),
            ("32 ASCII characters in a file", b => b.UseMasterKeyFromFile(File_("ascii", Encoding.ASCII.GetBytes("correct horse battery staple 123"))), "printable text"),
            ("a hex string in a file", b => b.UseMasterKeyFromFile(File_("hex", Encoding.ASCII.GetBytes(Convert.ToHexString(random) + "\n"))), "hex string"),
            ("a world-writable key file", b => b.UseMasterKeyFromFile(File_("open", random, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite)), "written by other users"),
        };

        foreach (var (name, keys, says) in cases)
        {
            var act = () => VaultHost.StartAsync(keys: keys);
            (await act.Should().ThrowAsync<VaultConfigurationException>(name)).Which.Message.Should().Contain(says, name);
        }
    }

    [Test]
    public async Task MasterKeyBytes_AreZeroedWhenTheProviderIsDisposed()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var source = MasterKeySource.FromBytes(key);
        var host = await VaultHost.StartAsync(keys: b => b.UseMasterKey(source));
        await host.DisposeAsync();

        var load = () => source.Load();
        load.Should().Throw<VaultConfigurationException>().WithMessage("*zeroed*");
    }

    private static System.Text.Json.JsonElement JsonDocumentParse(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json, new System.Text.Json.JsonDocumentOptions { MaxDepth = 200 });
        return document.RootElement.Clone();
    }
}
