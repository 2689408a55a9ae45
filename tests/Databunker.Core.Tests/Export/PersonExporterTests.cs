using System.Text.Json;
using Databunker.Core.AppData;
using Databunker.Core.Expiration;
using Databunker.Core.Export;
using Databunker.Core.Sessions;
using Databunker.Core.Shares;
using Databunker.Core.Storage;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Export;

[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class PersonExporterTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);
    private VaultHost _host = null!;

    private IPersonExporter Exporter => _host.Services.GetRequiredService<IPersonExporter>();

    [SetUp]
    public async Task Start() => _host = await VaultHost.StartAsync(o => o.AppData.Register("shop").Register("blog"), store: _store);

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task TheExport_OfAPersonWithDataInEveryModule_RoundTripsAndMatchesTheApis()
    {
        var person = await EveryModuleAsync();

        using var document = await ExportAsync(person);
        var root = document.RootElement;

        root.GetProperty("formatVersion").GetInt32().Should().Be(1);
        root.GetProperty("person").GetGuid().Should().Be(person);
        root.GetProperty("exportedAt").GetDateTimeOffset().Should().Be(_host.Time.GetUtcNow());
        var user = await _host.Vault.GetPersonAsync(PersonLookup.ByToken(person));
        SameJson(root.GetProperty("profile").GetProperty("data"), user!.Profile).Should().BeTrue();

        var appData = _host.Services.GetRequiredService<IAppDataManager>();
        var documents = root.GetProperty("appData").EnumerateArray().ToList();
        documents.Select(d => d.GetProperty("app").GetString()).Should().Equal("blog", "shop");
        foreach (var exported in documents)
        {
            var current = await appData.GetAsync(person, exported.GetProperty("app").GetString()!);
            SameJson(exported.GetProperty("data"), current!.Data).Should().BeTrue();
            exported.GetProperty("version").GetInt64().Should().Be(current.Version);
        }

        root.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("value").GetString())
            .Should().BeEquivalentTo("4921 8170 0412 3456", "AB 12 34 56 C");
        var status = await _host.Expirations.GetStatusAsync(PersonLookup.ByToken(person));
        root.GetProperty("expiration").GetProperty("state").GetString().Should().Be("waiting");
        root.GetProperty("expiration").GetProperty("dueAt").GetDateTimeOffset().Should().Be(status!.DueAt!.Value);

        var sessions = await _host.Services.GetRequiredService<ISessionManager>().ListAsync(person);
        root.GetProperty("sessions").EnumerateArray().Select(s => (s.GetProperty("handle").GetGuid(), s.GetProperty("label").GetString()))
            .Should().BeEquivalentTo(sessions.Select(s => (s.Handle, s.Label)));
        var shares = await _host.Services.GetRequiredService<IShareLinkManager>().ListAsync(person);
        root.GetProperty("shares").EnumerateArray().Select(s => (s.GetProperty("handle").GetGuid(), s.GetProperty("recipient").GetString(), s.GetProperty("readsLeft").GetInt32()))
            .Should().BeEquivalentTo(shares.Select(s => (s.Handle, s.Recipient, s.ReadsLeft)));

        var trail = await _host.Vault.GetAuditEventsAsync(person);
        var exportedTrail = root.GetProperty("auditTrail").EnumerateArray().ToList();
        exportedTrail.Select(e => e.GetProperty("id").GetInt64()).Should().BeInAscendingOrder();
        var lastExported = exportedTrail[^1].GetProperty("id").GetInt64();
        exportedTrail.Select(e => e.GetProperty("operation").GetString()).Should().Contain(
            [AuditOperations.PersonCreate, AuditOperations.AppDataPut, AuditOperations.AppDataPatch, AuditOperations.TokenTokenize, AuditOperations.ExpirationStart,
             AuditOperations.SessionCreate, AuditOperations.ShareCreate, AuditOperations.ShareRedeem, AuditOperations.PersonGet]);
        exportedTrail.Select(e => (e.GetProperty("operation").GetString(), e.GetProperty("details").ValueKind == JsonValueKind.Null ? null : e.GetProperty("details").GetRawText()))
            .Should().BeEquivalentTo(trail.Where(e => e.Id <= lastExported).Select(e => (e.Operation, e.Details)), "the reads this test made after the export come later");
        trail.Should().ContainSingle(e => e.Operation == AuditOperations.PersonExport, "the export is audited");
    }

    [Test]
    public async Task EveryModuleThatForgetsAPerson_AlsoExportsThem()
    {
        var steps = _host.Services.GetServices<Databunker.Core.Kernel.IErasureStep>().Select(s => s.Role).ToList();
        var sections = _host.Services.GetRequiredService<PersonExporter>().Sections;

        sections.Select(s => s.Role).Should().BeEquivalentTo(steps, "a module that deletes a person's rows on forget must also export them");
        sections.Select(s => s.Name).Should().OnlyHaveUniqueItems();
        steps.Should().HaveCountGreaterThanOrEqualTo(5);
    }

    [Test]
    public async Task AnUnknownPerson_IsRefusedAndNothingIsWritten()
    {
        using var stream = new MemoryStream();

        await FluentActions.Awaiting(() => Exporter.ExportAsync(Guid.NewGuid(), stream)).Should().ThrowAsync<PersonNotFoundException>();
        stream.Length.Should().Be(0);
    }

    [Test]
    public async Task ExportingTenThousandAuditEvents_KeepsTheLiveHeapFlat()
    {
        var small = await PersonWithEventsAsync(1_000);
        var large = await PersonWithEventsAsync(10_000);

        var (smallPeak, smallBytes) = await MeasureAsync(small);
        var (largePeak, largeBytes) = await MeasureAsync(large);

        TestContext.Out.WriteLine($"{_store.Name}: 1,000 events: {smallBytes:N0} B written, live heap peak +{smallPeak:N0} B; 10,000 events: {largeBytes:N0} B written, live heap peak +{largePeak:N0} B");
        (largeBytes - smallBytes).Should().BeGreaterThan(1_000_000, "the larger export is megabytes longer");
        // What a streamed export holds at once is a page of events and the writer's buffer, the same for 1,000 events
        // as for 10,000: the peaks differ by noise (measured 0.06 to 0.28 MB), not by the megabyte the document grew.
        (largePeak - smallPeak).Should().BeLessThan(400_000, "the live heap does not grow with the trail: the document is streamed, page by page");
        largePeak.Should().BeLessThan(largeBytes / 2, "less than half the document is ever held");
    }

    private async Task<Guid> PersonWithEventsAsync(int events)
    {
        var person = await _host.Vault.CreatePersonAsync(Json(new { email = $"trail{events}@example.com", name = "Trail" }));
        var auditStore = _host.Services.GetRequiredService<IAuditStore>();
        var at = _host.Time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var chunk in Enumerable.Range(0, events - 1).Chunk(1000))
        {
            await auditStore.AppendAuditAsync([.. chunk.Select(_ => new AuditRecord(0, at, "tests", AuditOperations.PersonGet, person, AuditOutcomes.Success, null))], default);
        }

        return person;
    }

    /// <summary>Exports into a stream that measures the live heap (after a full collection) at every 16th write, and returns its peak above the start.</summary>
    private async Task<(long Peak, long Bytes)> MeasureAsync(Guid person)
    {
        await using var sampling = new HeapSamplingStream();
        await Exporter.ExportAsync(person, sampling);
        return (sampling.Peak, sampling.Length);
    }

    [Test]
    public async Task TheMembersADocumentNamesAsCredentials_AreWithheld_AndTheRestIsExported()
    {
        await using var host = await VaultHost.StartAsync(o => o.AppData.Register("shop").Register("signin"), store: _store);
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "held@example.com" }));
        var appData = host.Services.GetRequiredService<IAppDataManager>();
        await appData.PutAsync(person, "shop", JsonSerializer.SerializeToElement(new { cart = 3, passwordHash = "not named, so exported" }));
        var signin = JsonDocument.Parse("""{"$credentials":["passwordHash","recoveryCodes"],"passwordHash":"AQAAAAIAAYagSECRET","recoveryCodes":["R1-SECRET"],"emailConfirmed":true,"name":"Zoë"}""").RootElement;
        await appData.PutAsync(person, "signin", signin);

        using var stream = new MemoryStream();
        await host.Services.GetRequiredService<IPersonExporter>().ExportAsync(person, stream);

        System.Text.Encoding.UTF8.GetString(stream.ToArray()).Should().NotContain("SECRET").And.NotContain("$credentials");
        var documents = JsonDocument.Parse(stream.ToArray()).RootElement.GetProperty("appData").EnumerateArray().ToDictionary(d => d.GetProperty("app").GetString()!);
        documents["shop"].GetProperty("data").GetProperty("passwordHash").GetString().Should().Be("not named, so exported");
        var data = documents["signin"].GetProperty("data");
        data.GetProperty("passwordHash").GetString().Should().Be("withheld");
        data.GetProperty("recoveryCodes").GetString().Should().Be("withheld");
        data.GetProperty("emailConfirmed").GetBoolean().Should().BeTrue("what is not a credential is the person's to see");
        (await appData.GetAsync(person, "signin"))!.Data.GetProperty("passwordHash").GetString().Should().Be("AQAAAAIAAYagSECRET", "the application that wrote it reads it as before");
        (await appData.GetAsync(person, "signin"))!.WithCredentialsWithheld().GetRawText().Should().Contain("\"name\":\"Zoë\"", "the page that shows it shows the text, not escapes");

        // A mark that is not a list of names withholds everything: it fails closed.
        await appData.PutAsync(person, "shop", JsonDocument.Parse("""{"$credentials":"passwordHash","passwordHash":"ALSO-SECRET","cart":3}""").RootElement);
        var closed = (await appData.GetAsync(person, "shop"))!.WithCredentialsWithheld();
        closed.GetProperty("passwordHash").GetString().Should().Be("withheld");
        closed.GetProperty("cart").GetString().Should().Be("withheld");
        var share = await host.Services.GetRequiredService<IShareLinkManager>().CreateAsync(person, new ShareRequest { Recipient = "auditor", App = "signin", Fields = ["/passwordHash"] });
        var shared = (await host.Services.GetRequiredService<IShareLinkManager>().RedeemAsync(share.Token)).Record!.Fields;
        shared.GetRawText().Should().NotContain("SECRET").And.Contain("withheld", "a share link reads the document as the person would");
    }

    private async Task<JsonDocument> ExportAsync(Guid person)
    {
        using var stream = new MemoryStream();
        await Exporter.ExportAsync(person, stream);
        return JsonDocument.Parse(stream.ToArray());
    }

    private async Task<Guid> EveryModuleAsync()
    {
        var person = await _host.Vault.CreatePersonAsync(Json(new { email = "everything@example.com", name = "Eve Rything", address = new { city = "Leeds" } }));
        var appData = _host.Services.GetRequiredService<IAppDataManager>();
        await appData.PutAsync(person, "shop", Json(new { size = "M" }));
        await appData.PutAsync(person, "blog", Json(new { theme = "dark" }));
        await appData.PatchAsync(person, "shop", Json(new { colour = "blue" }));
        var tokenizer = _host.Services.GetRequiredService<ITokenizer>();
        await tokenizer.TokenizeAsync("4921 8170 0412 3456", new TokenizeOptions { Person = person, Format = TokenFormat.CardNumber });
        await tokenizer.TokenizeAsync("AB 12 34 56 C", new TokenizeOptions { Person = person, Kind = TokenKind.Deterministic });
        await tokenizer.TokenizeAsync("not theirs");
        await _host.Expirations.StartAsync(PersonLookup.ByToken(person), ExpirationTime.FromDelay(TimeSpan.FromDays(30)));
        var sessions = _host.Services.GetRequiredService<ISessionManager>();
        foreach (var device in new[] { "Laptop", "Phone", "Tablet" })
        {
            await sessions.CreateAsync(Json(new { device }), new SessionCreateOptions { Person = person, Label = device });
        }

        var shares = _host.Services.GetRequiredService<IShareLinkManager>();
        var link = await shares.CreateAsync(person, new ShareRequest { Recipient = "Acme Insurance", Fields = ["/email"], MaxReads = 2 });
        await shares.CreateAsync(person, new ShareRequest { Recipient = "Tailor", App = "shop", Fields = ["/size"] });
        await shares.RedeemAsync(link.Token);
        await _host.Vault.GetPersonAsync(PersonLookup.ByToken(person));
        return person;
    }

    private sealed class HeapSamplingStream : Stream
    {
        private readonly long _start = GC.GetTotalMemory(forceFullCollection: true);
        private int _writes;

        public long Peak { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Position;

        public override long Position { get; set; }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Position += buffer.Length;
            if (_writes++ % 16 == 0)
            {
                Peak = Math.Max(Peak, GC.GetTotalMemory(forceFullCollection: true) - _start);
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }
    }
}
