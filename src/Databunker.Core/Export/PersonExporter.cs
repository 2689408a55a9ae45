using System.Text.Encodings.Web;
using System.Text.Json;

namespace Databunker.Core.Export;

/// <summary>The export: the kernel's profile and audit trail around every module's section.</summary>
internal sealed class PersonExporter(
    IEnumerable<IExportSection> sections,
    IAuditStore auditStore,
    VaultOpener opener,
    PersonDirectory persons,
    AuditTrail audit,
    Privacy.IPurposeViews purposes,
    TimeProvider time,
    ILogger<PersonExporter>? logger = null) : IPersonExporter
{
    /// <summary>The version of the document's format (<c>docs/export.md</c>).</summary>
    public const int FormatVersion = 1;

    /// <summary>How many audit events one page reads.</summary>
    internal const int AuditPageSize = 500;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    private readonly IExportSection[] _sections = [.. sections];
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>The sections the modules registered, in export order.</summary>
    internal IReadOnlyList<IExportSection> Sections => _sections;

    public async Task ExportAsync(Guid person, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The export needs a writable stream.", nameof(destination));
        }

        await CryptoGuard.RunAsync(_logger, AuditOperations.PersonExport, async () =>
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            await audit.FlushReadsAsync(cancellationToken).ConfigureAwait(false);
            var user = await persons.Store.GetPersonAsync(person, cancellationToken).ConfigureAwait(false) ?? throw new PersonNotFoundException();
            var dataKey = await persons.OpenDataKeyAsync(user, cancellationToken).ConfigureAwait(false);
            try
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var context = new ExportContext(person, dataKey, lease.Keys, now);
                await using var writer = new Utf8JsonWriter(destination, WriterOptions);
                writer.WriteStartObject();
                writer.WriteNumber("formatVersion", FormatVersion);
                ExportContext.WriteTime(writer, "exportedAt", now);
                writer.WriteString("person", person);
                await WriteProfileAsync(writer, dataKey, user, cancellationToken).ConfigureAwait(false);
                foreach (var section in _sections)
                {
                    writer.WritePropertyName(section.Name);
                    await section.WriteAsync(writer, context, cancellationToken).ConfigureAwait(false);
                    await ExportContext.MaybeFlushAsync(writer, cancellationToken).ConfigureAwait(false);
                }

                await WriteAuditTrailAsync(writer, context, cancellationToken).ConfigureAwait(false);
                writer.WriteEndObject();
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
                await audit.AppendAsync(audit.NewEvent(AuditOperations.PersonExport, person, AuditOutcomes.Success), CancellationToken.None).ConfigureAwait(false);
                return true;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        }).ConfigureAwait(false);
    }

    /// <summary>Registers the export.</summary>
    public static void Register(IServiceCollection services)
    {
        Diagnostics.Instrumented.AddPersonExporter<PersonExporter>(services);

        // Its part of data-subject requests: access and portability are answered with the export.
        foreach (var right in new[] { Rights.Access, Rights.Portability })
        {
            RightStep<IPersonExporter>.Add(services, right, static async (exporter, request, cancellationToken) =>
            {
                await exporter.ExportAsync(request.Person, request.Destination!, cancellationToken).ConfigureAwait(false);
                return RightStepResult.Done();
            });
        }
    }

    /// <summary>
    /// The profile, and, where the catalogue declares fields, which purposes hold each field and until when (GDPR
    /// Art. 15(1)(a),(d)): the purposes of the processing and how long the data will be kept.
    /// </summary>
    private async Task WriteProfileAsync(Utf8JsonWriter writer, byte[] dataKey, StoredPerson user, CancellationToken cancellationToken)
    {
        IReadOnlyList<Privacy.FieldHold>? holds = null;
        if (purposes.TracksFields)
        {
            var states = await persons.Store.GetPurposeStatesAsync(user.Token, cancellationToken).ConfigureAwait(false);
            var consentEnds = await purposes.ConsentEndsAsync(user.Token, cancellationToken).ConfigureAwait(false);

            var opened = PersonDirectory.OpenProfile(dataKey, user);
            holds = purposes.Holds(ProfileCodec.Deserialize(opened), user.CreatedAt, states, consentEnds);
            Array.Clear(opened);
        }

        var json = PersonDirectory.OpenProfile(dataKey, user);
        try
        {
            writer.WriteStartObject("profile");
            ExportContext.WriteTime(writer, "createdAt", user.CreatedAt);
            ExportContext.WriteTime(writer, "updatedAt", user.UpdatedAt);
            writer.WritePropertyName("data");
            writer.WriteRawValue(json, skipInputValidation: true);
            if (holds is not null)
            {
                writer.WriteStartArray("purposes");
                foreach (var hold in holds)
                {
                    writer.WriteStartObject();
                    writer.WriteString("field", hold.Field);
                    writer.WriteStartArray("heldBy");
                    foreach (var (purpose, until) in hold.HeldBy)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("purpose", purpose);
                        if (until is { } u)
                        {
                            ExportContext.WriteTime(writer, "until", u);
                        }
                        else
                        {
                            writer.WriteNull("until");
                        }

                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }
        finally
        {
            Array.Clear(json);
        }
    }

    /// <summary>The person's audit trail, page by page, in the order it was written, with the sealed details opened.</summary>
    private async Task WriteAuditTrailAsync(Utf8JsonWriter writer, ExportContext context, CancellationToken cancellationToken)
    {
        writer.WriteStartArray("auditTrail");
        for (long after = 0; ;)
        {
            var page = await auditStore.GetAuditPageAsync(context.Person, after, AuditPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var record in page)
            {
                writer.WriteStartObject();
                writer.WriteNumber("id", record.Id);
                ExportContext.WriteTime(writer, "at", record.At);
                writer.WriteString("actor", record.Actor);
                writer.WriteString("operation", record.Operation);
                writer.WriteString("outcome", record.Outcome);
                writer.WritePropertyName("details");
                if (AuditTrail.OpenDetails(context.DataKey, context.Person, record) is { } details)
                {
                    writer.WriteRawValue(details);
                }
                else
                {
                    writer.WriteNullValue();
                }

                writer.WriteEndObject();
                after = record.Id;
            }

            await ExportContext.MaybeFlushAsync(writer, cancellationToken).ConfigureAwait(false);
            if (page.Count < AuditPageSize)
            {
                break;
            }
        }

        writer.WriteEndArray();
    }
}
