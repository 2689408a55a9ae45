using System.Security.Cryptography;
using Databunker.Core.Keys;
using Databunker.Core.Sqlite;
using Databunker.Core.Storage;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Storage;

/// <summary>What the SQLite storage promises beyond the shared contract.</summary>
public sealed class SqliteStorageTests
{
    [Test]
    public async Task Database_IsInWalModeWithSchemaVersionTable()
    {
        await using var host = await VaultHost.StartAsync();

        Scalar<string>(host.Database, "PRAGMA journal_mode").Should().Be("wal");
        Scalar<long>(host.Database, "SELECT MAX(version) FROM schema_version").Should().BeGreaterThanOrEqualTo(2);
    }

    [Test]
    public async Task BackgroundCheckpoints_LetTheWriteAheadLogStartOver()
    {
        // SQLite's own checkpoint is off on the vault's connections: without the background ones the log keeps
        // every page of every commit; after a background checkpoint the next commit starts it over.
        var (rareFrames, rareCheckpoints) = await WalAfterCreatesAsync(checkpointEvery: 100_000);
        var (oftenFrames, oftenCheckpoints) = await WalAfterCreatesAsync(checkpointEvery: 16);

        rareCheckpoints.Should().Be(0);
        rareFrames.Should().BeGreaterThan(2000, "no commit checkpointed: the log holds the pages of all 400 creates");
        oftenCheckpoints.Should().BeGreaterThan(0);
        oftenFrames.Should().BeLessThan(100, "the log started over with the last create");
    }

    [Test]
    public async Task BulkCreates_InFewerCommitsThanTheCheckpointInterval_StillCheckpoint_AndTheLogStartsOver()
    {
        // 40 commits of 500 persons each (about 45 MiB of log in all), fewer than the 64 commits between two counted
        // checkpoints: with a 1 MiB journal limit the restart bound is 1,000 pages, and a log past twice that (about
        // 8 MiB) asks for a checkpoint by its size alone. (A 10,000,000-person load had grown its log to 73 GB, with
        // nothing copied into the database, before the disk was full.) The background thread restarts the log at the
        // writers' gate, between two commits.
        var (path, provider) = FileVault(o => o.JournalSizeLimit = 1024 * 1024);
        await using var _ = provider;
        var vault = provider.GetRequiredService<IPersonalDataVault>();
        var storage = provider.GetRequiredService<SqliteVaultStorage>();
        for (var chunk = 0; chunk < 40; chunk++)
        {
            await vault.CreatePersonsAsync(Enumerable.Range(chunk * 500, 500).Select(i => Json(new { email = $"bulk{i}@example.com", note = new string('n', 300) })));
            new FileInfo(path + "-wal").Length.Should().BeLessThan(32L * 1024 * 1024, "the log is restarted between two commits once it is past 8 MiB");
        }

        await storage.Checkpointer.Idle;
        storage.Checkpointer.Completed.Should().BeGreaterThan(0, "the log's size asked for a checkpoint");
        await storage.Checkpointer.Request();
        await vault.CreatePersonAsync(Json(new { email = "after-bulk@example.com" }));

        new FileInfo(path).Length.Should().BeGreaterThan(4L * 1024 * 1024, "the persons were copied into the database");
        new FileInfo(path + "-wal").Length.Should().BeLessThanOrEqualTo(4L * 1024 * 1024, "the log started over and was cut back to the journal size limit");
    }

    [Test]
    public async Task WritersThatNeverPause_HaveTheLogRestartedAtTheirGate_NotOnTheirOwnRequests()
    {
        // Four writers that create without a pause keep passive checkpoints from ever catching up. With a 1 MiB
        // journal limit the bound is 1,000 pages: past 750 of them the background thread takes its turn at the writers'
        // gate, copies what its passes left, and the next writer starts the log over. Past 16 MiB a writer with no
        // checkpoint under way restarts the log itself: it was the writers who did, on a caller's request. (How far the
        // log gets before the thread's turn depends on the disk's syncs; the count of the writers' restarts does not.)
        var (path, provider) = FileVault(o => o.JournalSizeLimit = 1024 * 1024);
        await using var _ = provider;
        var vault = provider.GetRequiredService<IPersonalDataVault>();
        var storage = provider.GetRequiredService<SqliteVaultStorage>();
        var longest = 0L;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < 1500; i++)
            {
                await vault.CreatePersonAsync(Json(new { email = $"w{writer}-{i}@example.com", note = new string('n', 300) }));
                if (writer == 0)
                {
                    longest = Math.Max(longest, new FileInfo(path + "-wal").Length);
                }
            }
        })));

        await storage.Checkpointer.Idle;
        storage.Checkpointer.Completed.Should().BeGreaterThan(0);
        storage.Checkpointer.WriterRestarts.Should().Be(0, "the background thread restarted the log before a writer had to");
        longest.Should().BeLessThan(32L * 1024 * 1024, "the log started over (at 750 pages once the thread had its turn)");
        new FileInfo(path).Length.Should().BeGreaterThan(4L * 1024 * 1024, "the persons were copied into the database");
    }

    [Test]
    public async Task APersonsTrail_IsReadFromTheIndexRunsAndTheUnindexedTail_AcrossPurges()
    {
        await using var host = await VaultHost.StartAsync();
        var a = await host.Vault.CreatePersonAsync(Json(new { email = "runs-a@example.com" }));
        var b = await host.Vault.CreatePersonAsync(Json(new { email = "runs-b@example.com" }));
        var store = host.Services.GetRequiredService<IAuditStore>();
        var start = host.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds() + 1;

        // Three runs' worth of events and a tail. A run is made by the append that crosses the mark (8,192 waiting),
        // so batches of 512 make runs of 8,192.
        const int Events = (8192 * 3) + 100;
        for (var first = 0; first < Events; first += 512)
        {
            var batch = Enumerable.Range(first, Math.Min(512, Events - first))
                .Select(i => new AuditRecord(0, start + i, "test", "person.get", (i % 3) switch { 0 => a, 1 => b, _ => null }, "success", null))
                .ToList();
            await store.AppendAuditAsync(batch, CancellationToken.None);
        }

        host.Scalar<string>("SELECT group_concat(run, ',') FROM (SELECT run FROM audit_runs ORDER BY run)").Should().Be("8195,16387,24579", "the start's consent.link and two creations come first");
        host.Scalar<long>("SELECT head_seq - indexed_seq FROM audit_chain").Should().Be(100, "the newest events wait unindexed");
        host.Scalar<long>("SELECT COUNT(*) - COUNT(DISTINCT seq) FROM audit_subjects").Should().Be(0, "each event is indexed once");
        host.Scalar<long>("SELECT COUNT(*) FROM audit_subjects").Should().Be(
            host.Scalar<long>("SELECT COUNT(*) FROM audit_events WHERE subject IS NOT NULL AND seq <= (SELECT indexed_seq FROM audit_chain)"));
        await ShouldReadTheWholeTrail(a);
        await ShouldReadTheWholeTrail(b);

        // Purging the oldest events takes the runs that covered only them; what stays is still found.
        var purged = await store.PurgeAuditAsync(start + 20_000, CancellationToken.None);
        purged.Should().BeGreaterThan(20_000);
        host.Scalar<string>("SELECT group_concat(run, ',') FROM audit_runs").Should().Be("24579", "the first two runs covered only purged events");
        host.Scalar<long>("SELECT COUNT(*) FROM audit_subjects WHERE run < (SELECT MIN(run) FROM audit_runs)").Should().Be(0);
        await ShouldReadTheWholeTrail(a);
        (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();

        async Task ShouldReadTheWholeTrail(Guid subject)
        {
            var trail = await store.GetAuditAsync(subject, CancellationToken.None);
            trail.Should().OnlyContain(e => e.Person == subject);
            trail.Select(e => e.Id).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
            trail.Should().HaveCount((int)host.Scalar<long>("SELECT COUNT(*) FROM audit_events WHERE subject = @s", new { s = subject.ToByteArray() }));
        }
    }

    [Test]
    public async Task AVaultAtVersion6_MovesToTheLeanSchema_AndKeepsItsPersonsTokensAndTrail()
    {
        var database = VaultHost.NewDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        var key = RandomNumberGenerator.GetBytes(32);
        var tokens = new List<(string Token, string Value)>();
        string deterministic;
        Guid person;
        await using (var host = await VaultHost.StartAsync(database: database, masterKey: key))
        {
            person = await host.Vault.CreatePersonAsync(Json(new { email = "moved@example.com", name = "Moved" }));
            await host.Vault.GetPersonAsync(PersonLookup.ByToken(person));
            var tokenizer = host.Services.GetRequiredService<Databunker.Core.Tokenization.ITokenizer>();
            for (var i = 0; i < 5; i++)
            {
                var value = $"4921 8170 0000 000{i}";
                tokens.Add((await UnscopedTokens.AddAsync(host.Services, value, i % 2 == 0 ? person : null), value)); // without a scope: no vault before 19 has one
            }

            deterministic = await UnscopedTokens.AddAsync(host.Services, "same", deterministic: true);
        }

        // The version-6 shape, as scripts 1 to 6 left it: AUTOINCREMENT ids beside seq, a unique index on seq, a
        // time index, a UNIQUE deterministic column, and the index on data_keys.version.
        Sql(database, """
            CREATE TABLE audit_v6 (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL, operation TEXT NOT NULL,
                subject BLOB, outcome TEXT NOT NULL, details BLOB, seq INTEGER, link BLOB);
            INSERT INTO audit_v6 (id, at, actor, operation, subject, outcome, details, seq, link)
                SELECT seq, at, actor, operation, subject, outcome, details, seq, link FROM audit_events ORDER BY seq;
            DROP TABLE audit_events;
            ALTER TABLE audit_v6 RENAME TO audit_events;
            CREATE INDEX ix_audit_events_subject ON audit_events (subject, id);
            CREATE INDEX ix_audit_events_at ON audit_events (at);
            CREATE UNIQUE INDEX ux_audit_events_seq ON audit_events (seq);
            CREATE TABLE tokens_v6 (token_hash BLOB NOT NULL PRIMARY KEY, value BLOB NOT NULL, deterministic BLOB UNIQUE, sealed_token BLOB,
                owner BLOB, expires_at INTEGER, created_at INTEGER NOT NULL) WITHOUT ROWID;
            INSERT INTO tokens_v6 SELECT token_hash, value, deterministic, sealed_token, owner, expires_at, created_at FROM tokens;
            DROP TABLE tokens;
            ALTER TABLE tokens_v6 RENAME TO tokens;
            CREATE INDEX ix_tokens_owner ON tokens (owner) WHERE owner IS NOT NULL;
            CREATE INDEX ix_tokens_expires ON tokens (expires_at) WHERE expires_at IS NOT NULL;
            CREATE INDEX ix_data_keys_version ON data_keys (key_version);
            ALTER TABLE users DROP COLUMN index_hashes;
            ALTER TABLE users DROP COLUMN index_version;
            CREATE INDEX ix_user_indexes_token ON user_indexes (token);
            DROP TABLE audit_subjects;
            DROP TABLE audit_runs;
            ALTER TABLE audit_chain DROP COLUMN indexed_seq;
            DROP TABLE app_data;
            DROP TABLE sessions;
            DROP TABLE share_links;
            DROP TABLE privacy_notices;
            DROP TABLE privacy_catalog;
            DROP TABLE consent_events;
            DROP TABLE consent_chain;
            DROP TABLE consent_heads;
            DROP TABLE privacy_requests;
            DROP TABLE pending_consents;
            DELETE FROM schema_version WHERE version >= 7;
            """);
        var events = Scalar<long>(database, "SELECT COUNT(*) FROM audit_events");

        await using (var host = await VaultHost.StartAsync(database: database, masterKey: key))
        {
            Scalar<long>(database, "SELECT MAX(version) FROM schema_version").Should().Be(Databunker.Core.Sqlite.SqliteMigrator.LatestVersion);
            Scalar<long>(database, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('ix_audit_events_at', 'ux_audit_events_seq', 'ix_data_keys_version', 'ix_audit_events_subject')")
                .Should().Be(0);

            // Version 8: the events already there form one run of the index by person.
            Scalar<string>(database, "SELECT group_concat(level) FROM audit_runs").Should().Be("1");
            Scalar<long>(database, "SELECT COUNT(*) FROM pragma_table_info('audit_events') WHERE name = 'id'").Should().Be(0);
            Scalar<long>(database, "SELECT COUNT(*) FROM audit_events").Should().Be(events + 1, "the start that added the consent chain audited its linking");
            (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
            (await host.Vault.GetPersonAsync(PersonLookup.ByEmail("moved@example.com")))!.Token.Should().Be(person);
            var tokenizer = host.Services.GetRequiredService<Databunker.Core.Tokenization.ITokenizer>();
            (await tokenizer.DetokenizeManyAsync(tokens.Select(t => t.Token).ToList())).Should().Equal(tokens.Select(t => t.Value));
            (await tokenizer.TokenizeAsync("same", new Databunker.Core.Tokenization.TokenizeOptions { Kind = Databunker.Core.Tokenization.TokenKind.Deterministic })).Should().Be(deterministic);
            (await tokenizer.DetokenizeAsync(deterministic)).Should().Be("same");
            (await host.Vault.GetAuditEventsAsync(person)).Select(e => e.Operation).Should().Contain(["person.create", "person.get"]).And.HaveCount(9);

            // The person's index entries were listed on their row: a change of address and a forget find them.
            Scalar<long>(database, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_user_indexes_token'").Should().Be(0);
            await host.Vault.UpdatePersonAsync(PersonLookup.ByToken(person), Json(new { email = "new@example.com" }));
            (await host.Vault.GetPersonAsync(PersonLookup.ByEmail("moved@example.com"))).Should().BeNull();
            (await host.Vault.GetPersonAsync(PersonLookup.ByEmail("new@example.com")))!.Token.Should().Be(person);
            (await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(person))).Should().BeTrue();
            Scalar<long>(database, "SELECT COUNT(*) FROM user_indexes").Should().Be(0);
        }
    }

    /// <summary>A vault in a new database file of its own, with the storage options given; the caller disposes it.</summary>
    private static (string Path, ServiceProvider Provider) FileVault(Action<SqliteStorageOptions> configure)
    {
        var path = VaultHost.NewDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var services = new ServiceCollection();
        services.AddDatabunker().UseSqlite($"Data Source={path}", configure).UseMasterKey(RandomNumberGenerator.GetBytes(32));
        return (path, services.BuildServiceProvider());
    }

    private static async Task<(long Frames, int Checkpoints)> WalAfterCreatesAsync(int checkpointEvery)
    {
        var (path, provider) = FileVault(o => o.BackgroundCheckpointCommits = checkpointEvery);
        await using var _ = provider;
        var vault = provider.GetRequiredService<IPersonalDataVault>();
        var storage = provider.GetRequiredService<SqliteVaultStorage>();
        for (var i = 0; i < 400; i++)
        {
            await vault.CreatePersonAsync(Json(new { email = $"wal{i}@example.com", note = new string('n', 300) }));
        }

        (await vault.GetPersonAsync(PersonLookup.ByEmail("wal399@example.com"))).Should().NotBeNull();

        // The read's audit event is committed now, not by the group commit while the checkpoint below runs.
        await provider.GetRequiredService<IVaultAdministration>().FlushAuditAsync();
        if (checkpointEvery < 400)
        {
            await storage.Checkpointer.Request();
        }

        await vault.CreatePersonAsync(Json(new { email = "last@example.com" }));
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = checkpoint.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(1), storage.Checkpointer.Completed);
    }

    [Test]
    public async Task Forget_WithSecureDelete_LeavesNoOldBytesInTheFileAfterCheckpoint()
    {
        await using var host = await VaultHost.StartAsync();
        var keep = await host.Vault.CreatePersonAsync(Json(new { login = "stays" }));
        var token = await host.Vault.CreatePersonAsync(Json(new { login = "leaves", bio = new string('b', 500) }));
        var wrappedKey = Scalar<byte[]>(host.Database, "SELECT wrapped FROM data_keys WHERE owner = @t", new { t = token.ToByteArray() })!;
        var profile = Scalar<byte[]>(host.Database, "SELECT profile FROM users WHERE token = @t", new { t = token.ToByteArray() })!;
        Sql(host.Database, "PRAGMA wal_checkpoint(TRUNCATE)");
        Contains(File.ReadAllBytes(host.Database), wrappedKey).Should().BeTrue("the check must be able to see the key while it exists");

        await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(token));
        Sql(host.Database, "PRAGMA wal_checkpoint(TRUNCATE)");

        var file = File.ReadAllBytes(host.Database);
        Contains(file, wrappedKey).Should().BeFalse("secure_delete overwrites the freed wrapped key");
        Contains(file, profile[^64..]).Should().BeFalse("secure_delete overwrites the freed profile");
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(keep))).Should().NotBeNull();
    }

    [Test]
    public async Task CompactAsync_AfterForget_LeavesTheWrappedKeyNeitherInTheFileNorInTheWal()
    {
        await using var host = await VaultHost.StartAsync();
        var token = await host.Vault.CreatePersonAsync(Json(new { login = "shredded" }));
        var wrappedKey = Scalar<byte[]>(host.Database, "SELECT wrapped FROM data_keys WHERE owner = @t", new { t = token.ToByteArray() })!;
        await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(token));
        Contains(File.ReadAllBytes(host.Database + "-wal"), wrappedKey).Should().BeTrue("before compaction the WAL still holds the old page");

        (await host.Administration.CompactAsync()).Should().BeTrue();

        foreach (var file in new[] { host.Database, host.Database + "-wal" }.Where(File.Exists))
        {
            Contains(File.ReadAllBytes(file), wrappedKey).Should().BeFalse($"{Path.GetFileName(file)} no longer holds the forgotten key");
        }
    }

    [Test]
    public async Task RunDueAsync_ThatForgotSomeone_CompactsTheWal()
    {
        await using var host = await VaultHost.StartAsync();
        var token = await host.Vault.CreatePersonAsync(Json(new { login = "expires" }));
        var wrappedKey = Scalar<byte[]>(host.Database, "SELECT wrapped FROM data_keys WHERE owner = @t", new { t = token.ToByteArray() })!;
        var ticket = await host.Expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromHours(1));
        host.Time.SetUtcNow(ticket.DueAt);

        (await host.Expirations.RunDueAsync()).Deleted.Should().Be(1);

        foreach (var file in new[] { host.Database, host.Database + "-wal" }.Where(File.Exists))
        {
            Contains(File.ReadAllBytes(file), wrappedKey).Should().BeFalse();
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
