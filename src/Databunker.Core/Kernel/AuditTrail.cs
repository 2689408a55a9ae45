
namespace Databunker.Core.Kernel;

/// <summary>
/// The kernel's clock and audit trail: every module reads the time and makes its audit events here, so that
/// actor, time and the sealing of details are the same everywhere.
/// </summary>
internal sealed class AuditTrail(IAuditStore store, ReadAuditWriter reads, TimeProvider time, IOptions<DatabunkerOptions> options)
{
    /// <summary>The envelope key id of audit details bound to their event.</summary>
    public const uint DetailsKeyId = 2;

    private readonly string _defaultActor = options.Value.DefaultActor;

    /// <summary>Now, in unix milliseconds.</summary>
    public long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>A new event by the current actor (<see cref="AuditActor"/>), at <paramref name="at"/> or now.</summary>
    public AuditRecord NewEvent(string operation, Guid? subject, string outcome, byte[]? details = null, long? at = null) =>
        new(0, at ?? Now(), AuditActor.Current ?? _defaultActor, operation, subject, outcome, details);

    /// <summary>A new event by a named actor (the scheduler), now.</summary>
    public AuditRecord NewEventBy(string actor, string operation, Guid? subject, string outcome) =>
        new(0, Now(), actor, operation, subject, outcome, null);

    /// <summary>Appends one event on its own.</summary>
    public Task AppendAsync(AuditRecord record, CancellationToken cancellationToken) => store.AppendAuditAsync(record, cancellationToken);

    /// <summary>Appends events in one transaction, in order.</summary>
    public Task AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken) => store.AppendAuditAsync(records, cancellationToken);

    /// <summary>
    /// Hands the events of a read to the group commit (<see cref="ReadAuditWriter"/>): committed with the next
    /// batch, or before the call returns when <see cref="DatabunkerOptions.ReadAuditWindow"/> is 0 or full.
    /// </summary>
    public Task AppendReadAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken) => reads.AppendAsync(records, cancellationToken);

    /// <summary>Makes one read event and hands it to the group commit.</summary>
    public Task AppendReadAsync(string operation, Guid? subject, string outcome, CancellationToken cancellationToken) =>
        reads.AppendAsync([NewEvent(operation, subject, outcome)], cancellationToken);

    /// <summary>Commits every read event handed over so far.</summary>
    public Task FlushReadsAsync(CancellationToken cancellationToken) => reads.FlushAsync(cancellationToken);

    /// <summary>A person's events, oldest first, after committing the read events that wait.</summary>
    public async Task<IReadOnlyList<AuditRecord>> GetEventsAsync(Guid subject, CancellationToken cancellationToken)
    {
        await reads.FlushAsync(cancellationToken).ConfigureAwait(false);
        return await store.GetAuditAsync(subject, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes and appends one event on its own.</summary>
    public Task AppendAsync(string operation, Guid? subject, string outcome, CancellationToken cancellationToken) =>
        store.AppendAuditAsync(NewEvent(operation, subject, outcome), cancellationToken);

    /// <summary>Seals event details (a JSON object of one array of names) under the subject's data key, bound to the event.</summary>
    public static byte[] SealDetails(byte[] dataKey, Guid owner, string operation, long at, string name, IEnumerable<string> values) =>
        SealDetails(dataKey, owner, operation, at, (name, values));

    /// <summary>Seals event details (a JSON object of arrays of names) under the subject's data key, bound to the event.</summary>
    public static byte[] SealDetails(byte[] dataKey, Guid owner, string operation, long at, params ReadOnlySpan<(string Name, IEnumerable<string> Values)> members)
    {
        using var scratch = JsonScratch.ForDetails();
        var writer = scratch.Writer;
        writer.WriteStartObject();
        foreach (var (name, values) in members)
        {
            writer.WriteStartArray(name);
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        return Envelope.Seal(dataKey, DetailsKeyId, scratch.Written, AssociatedData.ForAuditDetails(owner, operation, at));
    }

    /// <summary>The first byte of details kept in the clear; a sealed envelope starts with its format version, 1.</summary>
    private const byte ClearDetails = 0;

    /// <summary>
    /// Event details kept in the clear, for names that are the catalogue's own and no person's data: a purpose and
    /// the pointers of the fields a read returned. They stay readable after a forget, as the operation's name does;
    /// no encryption on the read path that writes one for every read.
    /// </summary>
    public static byte[] CatalogueDetails(string purpose, string name, IReadOnlyList<string> values)
    {
        using var scratch = JsonScratch.ForDetails();
        var writer = scratch.Writer;
        writer.WriteStartObject();
        writer.WriteStartArray("purpose");
        writer.WriteStringValue(purpose);
        writer.WriteEndArray();
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        var written = scratch.Written;
        var details = new byte[written.Length + 1];
        details[0] = ClearDetails;
        written.CopyTo(details.AsSpan(1));
        return details;
    }

    /// <summary>
    /// Whether an event's details are kept in the clear (<see cref="CatalogueDetails"/>): readable without the person's
    /// key. Only a purpose-bound read's events have them, so the operation decides, not a byte of the stored details:
    /// a sealed event whose first byte was rewritten still fails its authentication, and a clear event rewritten fails
    /// the audit chain's verification.
    /// </summary>
    public static bool InTheClear(AuditRecord record) =>
        record.Operation is AuditOperations.PersonUse or AuditOperations.AppDataGet or AuditOperations.TokenDetokenize && record.Details is [ClearDetails, ..];

    /// <summary>An event's sealed details, opened under the subject's data key; <see langword="null"/> when it has none or no key is given.</summary>
    public static string? OpenDetails(byte[]? dataKey, Guid subject, AuditRecord record) =>
        InTheClear(record) ? System.Text.Encoding.UTF8.GetString(record.Details.AsSpan(1))
        : record.Details is null || dataKey is null
            ? null
            : System.Text.Encoding.UTF8.GetString(Envelope.Open(
                dataKey,
                record.Details,
                Envelope.ReadKeyId(record.Details) == DetailsKeyId
                    ? AssociatedData.ForAuditDetails(subject, record.Operation, record.At)
                    : AssociatedData.For(AssociatedData.AuditDetails, subject),
                "audit detail"));
}
