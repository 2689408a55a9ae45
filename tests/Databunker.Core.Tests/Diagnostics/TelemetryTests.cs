using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Databunker.Core.Diagnostics;
using Databunker.Core.Expiration;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Diagnostics;

/// <summary>
/// Issue 17's third acceptance point: the metrics and the spans of one create, one get and one due-work pass, as an
/// OpenTelemetry exporter would receive them through <see cref="MeterListener"/> and <see cref="ActivityListener"/>.
/// </summary>
[TestFixture]
[Category(TestStore.SqliteName)]
[NonParallelizable]
public sealed class TelemetryTests
{
    private const string Email = "telemetry.person@example.com";

    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private VaultHost _host = null!;
    private ActivityListener _activities = null!;
    private MeterListener _meters = null!;
    private Activity _test = null!;

    [SetUp]
    public async Task Start()
    {
        // One fixture instance serves every test: each starts with nothing recorded.
        _spans.Clear();
        _measurements.Clear();
        _host = await VaultHost.StartAsync();
        var meter = _host.Services.GetRequiredService<DatabunkerTelemetry>().Meter;
        // The test's own span, started in each test body: a span made current in an async set-up does not flow back.
        _test = new Activity("telemetry-test");
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DatabunkerTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                // Only this test's spans: those under its root.
                if (span.TraceId == _test.TraceId)
                {
                    _spans.Enqueue(span);
                }
            },
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter == meter)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();
    }

    [TearDown]
    public async Task Stop()
    {
        _test.Stop();
        _test.Dispose();
        _meters.Dispose();
        _activities.Dispose();
        await _host.DisposeAsync();
    }

    /// <summary>
    /// The instrumented services are written at build time from the interfaces marked <see cref="InstrumentedAttribute"/>:
    /// a public service that the container hands out and that has operations must be one of them, or its calls would go
    /// unmeasured. Storage roles are the storage boundary's, not spans of their own.
    /// </summary>
    [Test]
    public void EveryPublicServiceWithOperations_IsHandedOutInstrumented()
    {
        var services = typeof(IPersonalDataVault).Assembly.GetExportedTypes()
            .Where(t => t.IsInterface && t.Namespace?.EndsWith(".Storage", StringComparison.Ordinal) == false
                && t.GetMethods().Any(m => typeof(Task).IsAssignableFrom(m.ReturnType)))
            .Select(t => (Interface: t, Implementation: _host.Services.GetService(t)))
            .Where(s => s.Implementation is not null)
            .ToList();

        services.Should().HaveCountGreaterThanOrEqualTo(11, "every module's public service is in the default container");
        services.Where(s => s.Implementation!.GetType().Name != "Instrumented" + s.Interface.Name[1..]).Select(s => s.Interface.Name)
            .Should().BeEmpty("a public service is handed out through its generated instrumented wrapper");
    }

    [Test]
    public async Task OneCreateOneGetOnePass_AreMeasuredAndTraced_WithoutPersonalData()
    {
        _test.Start();
        var token = await _host.Vault.CreatePersonAsync(Json(new { email = Email, name = "Telemetry Person" }));
        (await _host.Vault.GetPersonAsync(PersonLookup.ByEmail(Email))).Should().NotBeNull();
        await _host.Expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromMinutes(5));
        _host.Time.Advance(TimeSpan.FromMinutes(7));
        (await _host.Services.GetRequiredService<IVaultAdministration>().RunDueWorkAsync())["expiration"].Should().Be(1);

        // Spans: one per public operation, the pass with the modules' work nested in it.
        var create = _spans.Should().ContainSingle(s => s.OperationName == "databunker.vault.create_person").Subject;
        var get = _spans.Should().ContainSingle(s => s.OperationName == "databunker.vault.get_person").Subject;
        var pass = _spans.Should().ContainSingle(s => s.OperationName == "databunker.admin.run_due_work").Subject;
        foreach (var span in new[] { create, get, pass })
        {
            span.Source.Name.Should().Be("Databunker.Core");
            span.Status.Should().Be(ActivityStatusCode.Unset);
            span.GetTagItem("databunker.outcome").Should().Be("ok");
            span.GetTagItem("databunker.operation").Should().Be(span.OperationName);
            span.ParentSpanId.Should().Be(_test.SpanId, "an operation is a child of the caller's span");
        }

        _spans.Should().ContainSingle(s => s.OperationName == "databunker.expiration.run_due")
            .Which.ParentSpanId.Should().Be(pass.SpanId, "the expiration module's pass runs inside the due-work pass");
        Activity.Current.Should().Be(_test, "the caller gets its own span back after each call");

        // Metrics: the operations with their outcomes and durations, the pass, its items and its lag.
        Sum("databunker.operations", ("databunker.operation", "databunker.vault.create_person"), ("databunker.outcome", "ok")).Should().Be(1);
        Sum("databunker.operations", ("databunker.operation", "databunker.vault.get_person"), ("databunker.outcome", "ok")).Should().Be(1);
        Count("databunker.operation.duration", ("databunker.operation", "databunker.vault.create_person")).Should().Be(1);
        Count("databunker.operation.duration", ("databunker.operation", "databunker.vault.get_person")).Should().Be(1);
        Sum("databunker.duework.passes", ("databunker.outcome", "ok")).Should().Be(1);
        Sum("databunker.duework.items", ("databunker.module", "expiration")).Should().Be(1);
        Sum("databunker.duework.items", ("databunker.module", "tokens")).Should().Be(0);
        _measurements.Should().ContainSingle(m => m.Instrument == "databunker.duework.lag")
            .Which.Value.Should().Be(120, "the person was due 2 minutes before the pass, on the fake clock");

        // Nothing a person gave reaches a tag.
        var tagValues = _spans.SelectMany(s => s.TagObjects).Select(t => t.Value?.ToString())
            .Concat(_measurements.SelectMany(m => m.Tags.Values).Select(v => v?.ToString())).ToList();
        tagValues.Should().NotContain(v => v != null && (v.Contains("telemetry.person") || v.Contains("Telemetry Person") || v.Contains(token.ToString())));
    }

    [Test]
    public async Task Failures_AreCountedByOutcome_AndMarkTheSpanAsAnError()
    {
        _test.Start();
        await _host.Vault.CreatePersonAsync(Json(new { email = Email }));

        await FluentActions.Awaiting(() => _host.Vault.CreatePersonAsync(Json(new { email = Email }))).Should().ThrowAsync<DuplicateIndexException>();
        await FluentActions.Awaiting(() => _host.Expirations.StartAsync(PersonLookup.ByEmail("nobody@example.com"), TimeSpan.FromDays(1))).Should().ThrowAsync<PersonNotFoundException>();

        Sum("databunker.operations", ("databunker.operation", "databunker.vault.create_person"), ("databunker.outcome", "duplicate")).Should().Be(1);
        Sum("databunker.duplicates", ("databunker.operation", "databunker.vault.create_person")).Should().Be(1);
        Sum("databunker.operations", ("databunker.operation", "databunker.expiration.start"), ("databunker.outcome", "not_found")).Should().Be(1);
        var failed = _spans.Should().ContainSingle(s => s.OperationName == "databunker.vault.create_person" && s.Status == ActivityStatusCode.Error).Subject;
        failed.GetTagItem("error.type").Should().Be(typeof(DuplicateIndexException).FullName);
        failed.GetTagItem("databunker.outcome").Should().Be("duplicate");
    }

    [Test]
    public async Task TamperedCiphertext_IsCountedAsACryptoFailure()
    {
        _test.Start();
        await _host.Vault.CreatePersonAsync(Json(new { email = Email }));
        _host.Sql("UPDATE users SET profile = zeroblob(length(profile));");

        await FluentActions.Awaiting(() => _host.Vault.GetPersonAsync(PersonLookup.ByEmail(Email))).Should().ThrowAsync<VaultCryptoException>();

        Sum("databunker.crypto.failures", ("databunker.operation", "databunker.vault.get_person")).Should().Be(1);
        Sum("databunker.operations", ("databunker.operation", "databunker.vault.get_person"), ("databunker.outcome", "crypto_failure")).Should().Be(1);
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
    }

    private IEnumerable<(string Instrument, double Value, Dictionary<string, object?> Tags)> Matching(string instrument, (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)));

    private double Sum(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Sum(m => m.Value);

    private int Count(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Count();
}
