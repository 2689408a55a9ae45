using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Databunker.Core.Diagnostics;

/// <summary>
/// The vault's metrics and traces, named after OpenTelemetry's conventions and listed in docs/observability.md.
/// The meter comes from the container's <see cref="IMeterFactory"/> when there is one (<c>AddMetrics()</c>, which
/// ASP.NET Core and the generic host add), so that each container has its own; otherwise the instance owns one.
/// Tags carry operation names, outcomes, module names and exception type names: never a value, a token or a key.
/// </summary>
internal sealed class DatabunkerTelemetry : IDisposable
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "Databunker.Core";

    /// <summary>The source of the vault's spans: one per public operation, one per due-work pass.</summary>
    public static readonly ActivitySource Source = new(Name, typeof(DatabunkerTelemetry).Assembly.GetName().Version?.ToString(3));

    private readonly Meter? _owned;
    private readonly TimeProvider _time;

    public DatabunkerTelemetry(TimeProvider time, IMeterFactory? meterFactory = null)
    {
        _time = time;
        Meter = meterFactory?.Create(new MeterOptions(Name) { Version = Source.Version }) ?? (_owned = new Meter(Name, Source.Version));
        Operations = Meter.CreateCounter<long>("databunker.operations", "{operation}", "Public operations of the vault that ended, by operation and outcome.");
        Duration = Meter.CreateHistogram<double>("databunker.operation.duration", "s", "How long public operations of the vault took, by operation and outcome.");
        Duplicates = Meter.CreateCounter<long>("databunker.duplicates", "{operation}", "Operations refused because a unique lookup (email, phone, login, custom index) was taken.");
        CryptoFailures = Meter.CreateCounter<long>("databunker.crypto.failures", "{failure}", "Stored ciphertexts or seals that failed their integrity check: a sign of tampering or of a wrong key.");
        Passes = Meter.CreateCounter<long>("databunker.duework.passes", "{pass}", "Due-work passes that ended, by outcome.");
        PassItems = Meter.CreateCounter<long>("databunker.duework.items", "{item}", "Items the due-work passes handled, by module.");
        PassLag = Meter.CreateHistogram<double>("databunker.duework.lag", "s", "How long the oldest due expiration had waited when a due-work pass began (0 when none was overdue).");
    }

    public Meter Meter { get; }

    public Counter<long> Operations { get; }

    public Histogram<double> Duration { get; }

    public Counter<long> Duplicates { get; }

    public Counter<long> CryptoFailures { get; }

    public Counter<long> Passes { get; }

    public Counter<long> PassItems { get; }

    public Histogram<double> PassLag { get; }

    /// <summary>The outcome tag of an operation that threw <paramref name="failure"/>; <c>ok</c> for none.</summary>
    public static string Outcome(Exception? failure) => failure switch
    {
        null => "ok",
        OperationCanceledException => "cancelled",
        PersonNotFoundException => "not_found",
        DuplicateIndexException => "duplicate",
        VersionConflictException => "conflict",
        VaultCryptoException => "crypto_failure",
        DatabunkerStorageException => "storage_failure",
        VaultConfigurationException => "configuration_error",
        ArgumentException => "invalid_input",
        _ => "error",
    };

    /// <summary>Begins an operation named <paramref name="operation"/>, or returns <see langword="null"/> when nobody listens.</summary>
    public OperationScope? Begin(string operation)
    {
        if (!Source.HasListeners() && !Duration.Enabled && !Operations.Enabled)
        {
            return null;
        }

        var previous = Activity.Current;
        var activity = Source.StartActivity(operation, ActivityKind.Internal);
        activity?.SetTag("databunker.operation", operation);
        return new OperationScope(this, operation, activity, previous, _time.GetTimestamp());
    }

    /// <summary>Records the end of an operation.</summary>
    internal void End(string operation, Activity? activity, long started, Exception? failure)
    {
        var outcome = Outcome(failure);
        var elapsed = _time.GetElapsedTime(started).TotalSeconds;
        var tags = new TagList { { "databunker.operation", operation }, { "databunker.outcome", outcome } };
        Operations.Add(1, tags);
        Duration.Record(elapsed, tags);
        if (failure is DuplicateIndexException)
        {
            Duplicates.Add(1, new KeyValuePair<string, object?>("databunker.operation", operation));
        }
        else if (failure is VaultCryptoException)
        {
            CryptoFailures.Add(1, new KeyValuePair<string, object?>("databunker.operation", operation));
        }

        if (activity is not null)
        {
            activity.SetTag("databunker.outcome", outcome);
            if (failure is not null && failure is not OperationCanceledException)
            {
                activity.SetTag("error.type", failure.GetType().FullName);
                activity.SetStatus(ActivityStatusCode.Error, outcome);
            }

            activity.Stop();
        }
    }

    public void Dispose() => _owned?.Dispose();
}
