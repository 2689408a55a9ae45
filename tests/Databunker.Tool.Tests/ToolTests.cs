using System.Diagnostics;
using System.Security.Cryptography;
using Databunker.Core.Keys;
using Databunker.Core.Tests.Support;
using Databunker.Tool;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

using static Databunker.Core.Tests.Tool.ToolSupport;

namespace Databunker.Core.Tests.Tool;

/// <summary>
/// Every command of the databunker tool, run in-process against a real SQLite vault with its master key in a file,
/// and the tool run as a process. The vault is made with the library, as an application would have made it.
/// </summary>
[TestFixture]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Category(TestStore.SqliteName)]
public sealed class ToolTests
{
    private string _folder = null!;
    private string _database = null!;
    private string _key = null!;
    private Guid _person;

    [SetUp]
    public async Task CreateVault()
    {
        _folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "vaults", "tool-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _database = Path.Combine(_folder, "vault.db");
        _key = WriteKey("master-1.key");
        await using var services = Vault(_key, 1);
        var vault = services.GetRequiredService<IPersonalDataVault>();
        _person = await vault.CreatePersonAsync(TestData.Json(new { email = "tool.person@example.com", name = "Tool Person" }));
        for (var i = 0; i < 5; i++)
        {
            await vault.CreatePersonAsync(TestData.Json(new { email = $"other{i}@example.com" }));
        }
    }

    [Test]
    public async Task KeyGenerate_PrintsThirtyTwoRandomBytes_OrWritesAnOwnerOnlyFile()
    {
        var (code, output, _) = await RunAsync("key", "generate");
        var second = await RunAsync("key", "generate");

        code.Should().Be(0);
        Convert.FromBase64String(output.Trim()).Should().HaveCount(32);
        second.Output.Should().NotBe(output);

        var file = Path.Combine(_folder, "new.key");
        (await RunAsync("key", "generate", "--file", file)).Code.Should().Be(0);
        Convert.FromBase64String(File.ReadAllText(file)).Should().HaveCount(32);
        File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var again = await RunAsync("key", "generate", "--file", file);
        again.Code.Should().Be(2, "an existing key file is never overwritten");
        again.Error.Should().Contain("never overwritten");
    }

    [Test]
    public async Task Minimisation_ReadsTheHostsCatalogue_AndReportsFieldsHeldWithoutAPurpose()
    {
        var settings = Path.Combine(_folder, "appsettings.json");
        await File.WriteAllTextAsync(settings, """
            {
              "Databunker": {
                "Privacy": {
                  "Activities": [
                    { "Name": "account", "Purpose": "Keeping your account", "LegalBasis": "Contract", "Fields": [ { "Path": "/email" } ] }
                  ]
                }
              }
            }
            """);

        var (code, output, error) = await RunAsync("minimisation", "--sqlite", $"Data Source={_database}", "--key-file", _key, "--catalog", settings);

        code.Should().Be(1, "a field is held that no purpose declares: " + error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines[0].Should().MatchRegex(@"^Field\s+Persons\s+No purpose\s+Past retention\s+Purposes$");
        lines.Should().Contain(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^/email\s+6\s+0\s+0\s+account$"));
        lines.Should().Contain(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^/name\s+1\s+1\s+0\s+\(none\)$"));
        lines[^1].Should().Be("6 person(s) read; 1 field(s) held though no purpose declares them; 0 field(s) held past every purpose's retention (the next due-work pass deletes them).");
        output.Should().NotContain("tool.person@example.com").And.NotContain("Tool Person");

        var missing = await RunAsync("minimisation", "--sqlite", $"Data Source={_database}", "--key-file", _key, "--catalog", Path.Combine(_folder, "absent.json"));
        missing.Code.Should().Be(2);
        missing.Error.Should().Contain("does not exist");
    }

    [Test]
    public async Task Stats_ShowsSchemaAuditKeysAndBacklog()
    {
        var (code, output, _) = await RunAsync("stats", "--sqlite", $"Data Source={_database}", "--key-file", _key);

        code.Should().Be(0);
        output.Should().Contain("Schema version:").And.Contain("Audit events:").And.Contain("Current master key version:  1")
            .And.Contain("Data keys under older keys:  0").And.Contain("Earliest due expiration:     none");
        output.Should().NotContain("tool.person");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task KeyRewrapThenRetire_MovesEveryKeyToTheNewVersion_WithProgress(bool terminal)
    {
        var next = WriteKey("master-2.key");

        var rewrap = await RunAsync(terminal, "key", "rewrap", "--sqlite", $"Data Source={_database}", "--key-file", next, "--key-version", "2",
            "--previous-key-file", _key, "--previous-key-version", "1");

        rewrap.Code.Should().Be(0, rewrap.Error);
        rewrap.Output.Should().Contain("Re-wrapped").And.Contain("to master key version 2; 0 left.");
        if (terminal)
        {
            rewrap.Output.Should().Contain("\r[").And.Contain("##", "a terminal gets a bar redrawn in place");
        }
        else
        {
            rewrap.Output.Should().Contain("re-wrapped ").And.NotContain("\r", "a pipe or a log gets plain lines");
        }

        (await RunAsync("stats", "--sqlite", $"Data Source={_database}", "--key-file", next, "--key-version", "2")).Output
            .Should().Contain("Data keys under older keys:  0");
        var retire = await RunAsync("key", "retire", "--version", "1", "--sqlite", $"Data Source={_database}", "--key-file", next, "--key-version", "2");
        retire.Code.Should().Be(0, retire.Error);
        retire.Output.Should().Contain("Master key version 1 is retired");

        // The vault opens with the new key alone, and the person is still readable.
        await using var services = Vault(next, 2);
        (await services.GetRequiredService<IPersonalDataVault>().GetPersonAsync(PersonLookup.ByToken(_person))).Should().NotBeNull();
    }

    [Test]
    public async Task Compact_Compacts()
    {
        var (code, output, error) = await RunAsync("compact", "--sqlite", $"Data Source={_database}", "--key-file", _key);

        code.Should().Be(0, error);
        output.Should().Contain("Compacted");
    }

    [Test]
    public async Task Export_WritesThePersonsDocument_ToTheOutputOrAnOwnerOnlyFile()
    {
        var (code, output, error) = await RunAsync("export", "--token", _person.ToString(), "--sqlite", $"Data Source={_database}", "--key-file", _key);

        code.Should().Be(0, error);
        output.Should().Contain("tool.person@example.com").And.NotContain("other0@example.com");

        var file = Path.Combine(_folder, "export.json");
        (await RunAsync("export", "--token", _person.ToString(), "--output", file, "--sqlite", $"Data Source={_database}", "--key-file", _key)).Code.Should().Be(0);
        File.ReadAllText(file).Should().Contain("tool.person@example.com");
        File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var unknown = await RunAsync("export", "--token", Guid.NewGuid().ToString(), "--sqlite", $"Data Source={_database}", "--key-file", _key);
        unknown.Code.Should().Be(2);
    }

    [Test]
    public async Task AuditVerify_SaysIntact_AndFailsOnATamperedEvent()
    {
        var intact = await RunAsync("audit", "verify", "--sqlite", $"Data Source={_database}", "--key-file", _key);
        intact.Code.Should().Be(0, intact.Error);
        intact.Output.Should().Contain("The audit chain is intact");

        TestData.Sql(_database, "UPDATE audit_events SET outcome = 'denied' WHERE seq = (SELECT MIN(seq) FROM audit_events);");
        var broken = await RunAsync("audit", "verify", "--sqlite", $"Data Source={_database}", "--key-file", _key);

        broken.Code.Should().Be(1);
        broken.Output.Should().Contain("The audit chain is broken at sequence");
    }

    [Test]
    [Category(TestStore.PostgreSqlName)]
    public async Task Copy_MovesTheSqliteVaultToPostgreSql()
    {
        var target = TestStore.PostgreSql.NewDatabase();

        var (code, output, error) = await RunAsync("copy", "--from-sqlite", $"Data Source={_database}", "--to-postgresql", target);

        code.Should().Be(0, error);
        output.Should().MatchRegex(@"users\s+6").And.Contain("Copied");
        output.Should().MatchRegex(@"copied users: \d+ of \d+ tables", "a long copy reports each table");
        var services = new ServiceCollection();
        services.AddDatabunker().UsePostgreSql(target).UseMasterKeyFromFile(_key);
        await using var provider = services.BuildServiceProvider();
        (await provider.GetRequiredService<IPersonalDataVault>().GetPersonAsync(PersonLookup.ByEmail("tool.person@example.com"))).Should().NotBeNull();
    }

    [Test]
    public async Task Mistakes_AreRefusedWithExitCodeTwo_AndNeverShowTheKey()
    {
        var neither = await RunAsync("stats", "--key-file", _key);
        neither.Code.Should().Be(2);
        neither.Error.Should().Contain("exactly one of --sqlite and --postgresql");

        var wrong = WriteKey("wrong.key");
        var refused = await RunAsync("stats", "--sqlite", $"Data Source={_database}", "--key-file", wrong);
        refused.Code.Should().Be(2);
        refused.Error.Should().Contain("master key");
        refused.Error.Should().NotContain(File.ReadAllText(wrong).Trim()).And.NotContain(File.ReadAllText(_key).Trim());

        var missingOption = await RunAsync("key", "retire", "--sqlite", $"Data Source={_database}");
        missingOption.Code.Should().NotBe(0);
        missingOption.Error.Should().Contain("--version");
    }

    [TestCase("stats")]
    [TestCase("audit verify")]
    [TestCase("compact")]
    [TestCase("export --token 6f1c0d5e-0000-4000-8000-000000000001")]
    [TestCase("key retire --version 7")]
    [TestCase("key rewrap --previous-key-version 1")]
    public async Task VaultCommands_OnAMissingSqliteFile_FailWithExitCodeTwoAndCreateNothing(string command)
    {
        var missing = Path.Combine(_folder, "vautl.db");
        var args = command.Split(' ').Concat(["--sqlite", $"Data Source={missing}", "--key-file", _key]).ToList();
        if (command.Contains("rewrap", StringComparison.Ordinal))
        {
            args.AddRange(["--previous-key-file", _key]);
        }

        var (code, output, error) = await RunAsync([.. args]);

        code.Should().Be(2, output);
        error.Should().Contain("does not exist").And.Contain(missing);
        new[] { missing, missing + "-wal", missing + "-shm", missing + "-journal" }.Where(File.Exists).Should().BeEmpty("a mistyped path creates nothing");
    }

    [Test]
    public async Task Init_CreatesAnOwnerOnlyVault_ThatTheOtherCommandsOpen_AndRefusesAnExistingOne()
    {
        var path = Path.Combine(_folder, "new.db");

        var init = await RunAsync("init", "--sqlite", $"Data Source={path}", "--key-file", _key);
        var stats = await RunAsync("stats", "--sqlite", $"Data Source={path}", "--key-file", _key);
        var again = await RunAsync("init", "--sqlite", $"Data Source={_database}", "--key-file", _key);

        init.Code.Should().Be(0, init.Error);
        init.Output.Should().Contain("Created a new vault").And.Contain(path);
        File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        stats.Code.Should().Be(0, stats.Error);
        stats.Output.Should().Contain("Schema version:");
        again.Code.Should().Be(2);
        again.Error.Should().Contain("already exists");
    }

    [TestCase("stats --no-such-option")]
    [TestCase("no-such-command")]
    [TestCase("key retire")]
    [TestCase("export --token not-a-guid")]
    [TestCase("key generate --file")]
    public async Task UsageErrors_ExitWithTheReadmesErrorCode_NotTheCheckFailedCode(string command)
    {
        var (code, _, error) = await RunAsync(command.Split(' '));

        code.Should().Be(2, "the README gives 2 for wrong input and keeps 1 for a failed check");
        error.Should().NotBeEmpty();
    }

    [TestCase("--email", " Tool.Person@Example.com ")]
    [TestCase("--login", "tool.person")]
    [TestCase("--phone", "+44 20 7946 0958")]
    [TestCase("--token", null)]
    public async Task Export_FindsThePersonByEmailLoginPhoneOrToken(string option, string? value)
    {
        await using (var services = Vault(_key, 1))
        {
            await services.GetRequiredService<IPersonalDataVault>().UpdatePersonAsync(
                PersonLookup.ByToken(_person), TestData.Json(new { login = "tool.person", phone = "+442079460958" }));
        }

        var (code, output, error) = await RunAsync("export", option, value ?? _person.ToString(), "--sqlite", $"Data Source={_database}", "--key-file", _key);

        code.Should().Be(0, error);
        output.Should().Contain("tool.person@example.com").And.Contain(_person.ToString()).And.NotContain("other0@example.com");
    }

    [Test]
    public async Task Export_WithNoOrTwoLookupsOrAnUnknownOne_IsRefusedWithoutEchoingTheValue()
    {
        var vault = new[] { "--sqlite", $"Data Source={_database}", "--key-file", _key };

        var none = await RunAsync(["export", .. vault]);
        var two = await RunAsync(["export", "--email", "tool.person@example.com", "--login", "x", .. vault]);
        var unknown = await RunAsync(["export", "--email", "nobody.here@example.com", .. vault]);

        none.Code.Should().Be(2);
        none.Error.Should().Contain("exactly one of --token, --email, --phone and --login");
        two.Code.Should().Be(2);
        unknown.Code.Should().Be(2);
        unknown.Error.Should().Contain("No person").And.NotContain("nobody.here");
    }

    [Test]
    public async Task PostgreSqlConnectionString_FromAMissingFileOrAnUnsetVariable_IsRefusedClearly()
    {
        var variable = "DATABUNKER_TEST_PG_" + Guid.NewGuid().ToString("N");

        var file = await RunAsync("stats", "--postgresql-file", Path.Combine(_folder, "absent.conn"), "--key-file", _key);
        var env = await RunAsync("stats", "--postgresql-env", variable, "--key-file", _key);
        var both = await RunAsync("stats", "--postgresql-env", variable, "--sqlite", $"Data Source={_database}", "--key-file", _key);

        file.Code.Should().Be(2);
        file.Error.Should().Contain("--postgresql-file").And.Contain("absent.conn");
        env.Code.Should().Be(2);
        env.Error.Should().Contain(variable).And.Contain("not set");
        both.Code.Should().Be(2);
        both.Error.Should().Contain("exactly one of");
    }

    [Test]
    [Category(TestStore.PostgreSqlName)]
    public async Task PostgreSqlConnectionString_IsReadFromAFileOrAnEnvironmentVariable_AndStillFromTheCommandLine()
    {
        var target = TestStore.PostgreSql.NewDatabase();
        var connectionFile = Path.Combine(_folder, "postgresql.conn");
        File.WriteAllText(connectionFile, target + "\n");
        File.SetUnixFileMode(connectionFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var variable = "DATABUNKER_TEST_PG_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, target);
        try
        {
            var copy = await RunAsync("copy", "--from-sqlite", $"Data Source={_database}", "--to-postgresql-file", connectionFile);
            var fromFile = await RunAsync("stats", "--postgresql-file", connectionFile, "--key-file", _key);
            var fromEnv = await RunAsync("audit", "verify", "--postgresql-env", variable, "--key-file", _key);
            var fromLine = await RunAsync("stats", "--postgresql", target, "--key-file", _key);

            copy.Code.Should().Be(0, copy.Error);
            fromFile.Code.Should().Be(0, fromFile.Error);
            fromFile.Output.Should().Contain("Schema version:");
            fromEnv.Code.Should().Be(0, fromEnv.Error);
            fromEnv.Output.Should().Contain("The audit chain is intact");
            fromLine.Code.Should().Be(0, fromLine.Error);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Test]
    public async Task AsAProcess_PrintsTheHelpTheReadmeShows_AndGeneratesAKey()
    {
        var tool = Path.Combine(Path.GetDirectoryName(typeof(DatabunkerTool).Assembly.Location)!, "databunker.dll");

        var help = await ProcessAsync(tool, "--help");
        var key = await ProcessAsync(tool, "key", "generate");

        help.Code.Should().Be(0);
        help.Output.Should().Contain("Usage:").And.Contain("databunker [command] [options]");
        key.Code.Should().Be(0);
        Convert.FromBase64String(key.Output.Trim()).Should().HaveCount(32);

        // The README's section on the tool shows this very help text.
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        foreach (var line in help.Output.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0))
        {
            readme.Should().Contain(line, "the README shows the tool's help");
        }
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Databunker.Core.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("The repository's root was not found.");
    }

    private static async Task<(int Code, string Output, string Error)> ProcessAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(tool);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await output, await error);
    }

    private ServiceProvider Vault(string keyFile, int version)
    {
        var services = new ServiceCollection();
        services.AddDatabunker().UseSqlite($"Data Source={_database}").UseMasterKeyFromFile(keyFile, version);
        return services.BuildServiceProvider();
    }

    private string WriteKey(string name)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
