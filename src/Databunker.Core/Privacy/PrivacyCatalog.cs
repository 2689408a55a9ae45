using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Databunker.Core.Privacy;

/// <summary>The privacy catalogue: the host's declaration, its published notices, and the documents made from it.</summary>
internal sealed class PrivacyCatalog(
    IPrivacyCatalogStore store,
    VaultOpener opener,
    AuditTrail audit,
    IOptions<DatabunkerOptions> options,
    TimeProvider time) : IPrivacyCatalog
{
    private const int MaxPublishAttempts = 4;
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly PrivacyCatalogOptions _catalog = options.Value.Privacy;

    public IReadOnlyList<ProcessingActivity> Activities => [.. _catalog.Activities];

    public ProcessingActivity? FindActivity(string name) => _catalog.Activities.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal));

    public async Task<IReadOnlyList<PublishedNotice>> PublishAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var published = new List<PublishedNotice>();
        foreach (var notice in _catalog.Notices)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(notice.Text));
            for (var attempt = 1; ; attempt++)
            {
                var versions = await store.GetNoticesAsync(notice.Name, cancellationToken).ConfigureAwait(false);
                var latest = versions.Count > 0 ? versions[^1] : null;
                if (latest is not null && latest.ContentHash.AsSpan().SequenceEqual(hash))
                {
                    break;
                }

                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var version = new StoredNotice(notice.Name, (latest?.Version ?? 0) + 1, hash, notice.Text, now);
                if (await store.AddNoticeAsync(version, audit.NewEvent(AuditOperations.CatalogNoticePublish, null, AuditOutcomes.Success, at: now), cancellationToken).ConfigureAwait(false))
                {
                    published.Add(ToPublished(version));
                    break;
                }

                if (attempt == MaxPublishAttempts)
                {
                    throw new DatabunkerException($"The notice '{notice.Name}' was published concurrently {MaxPublishAttempts} times in a row; publish again.");
                }
            }
        }

        // The catalogue as recorded: its Art. 30 record and every notice's text, by hash.
        var declared = new StringBuilder(GetRecordOfProcessingJson());
        foreach (var notice in _catalog.Notices)
        {
            declared.Append(notice.Name).Append(':').Append(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(notice.Text)))).Append('\n');
        }

        var catalogHash = SHA256.HashData(Encoding.UTF8.GetBytes(declared.ToString()));
        var recorded = await store.GetCatalogHashAsync(cancellationToken).ConfigureAwait(false);
        if (recorded is null || !recorded.AsSpan().SequenceEqual(catalogHash))
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            await store.ReplaceCatalogHashAsync(recorded, catalogHash, now, audit.NewEvent(AuditOperations.CatalogChange, null, AuditOutcomes.Success, at: now), cancellationToken).ConfigureAwait(false);
        }

        return published;
    }

    public async Task<PublishedNotice?> GetNoticeAsync(string name, int? version = null, CancellationToken cancellationToken = default)
    {
        var history = await GetNoticeHistoryAsync(name, cancellationToken).ConfigureAwait(false);
        return version is { } v ? history.FirstOrDefault(n => n.Version == v) : history.Count > 0 ? history[^1] : null;
    }

    public async Task<IReadOnlyList<PublishedNotice>> GetNoticeHistoryAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        return [.. (await store.GetNoticesAsync(name, cancellationToken).ConfigureAwait(false)).Select(ToPublished)];
    }

    public string GetRecordOfProcessingJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Indented))
        {
            writer.WriteStartObject();
            writer.WriteString("controller", _catalog.Controller);
            writer.WriteString("dataProtectionOfficer", _catalog.DataProtectionOfficer);
            writer.WriteStartArray("activities");
            foreach (var activity in _catalog.Activities)
            {
                writer.WriteStartObject();
                writer.WriteString("name", activity.Name);
                writer.WriteString("purpose", activity.Purpose);
                writer.WriteString("legalBasis", BasisName(activity.LegalBasis));
                writer.WriteString("legalBasisArticle", BasisArticle(activity.LegalBasis));
                writer.WriteString("legalBasisDetail", activity.LegalBasisDetail);
                WriteList(writer, "subjectCategories", activity.SubjectCategories);
                WriteList(writer, "dataCategories", activity.DataCategories);
                WriteList(writer, "recipients", activity.Recipients);
                writer.WriteStartArray("transfers");
                foreach (var transfer in activity.Transfers)
                {
                    writer.WriteStartObject();
                    writer.WriteString("destination", transfer.Destination);
                    writer.WriteString("safeguard", transfer.Safeguard);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteString("retention", activity.Retention is { } r ? System.Xml.XmlConvert.ToString(r) : null);
                writer.WriteString("retentionDescription", Retention(activity));
                WriteList(writer, "securityMeasures", activity.SecurityMeasures);
                writer.WriteString("notice", activity.Notice);
                WriteFields(writer, activity);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()).ReplaceLineEndings("\n") + "\n";
    }

    public string GetRecordOfProcessingMarkdown()
    {
        var text = new StringBuilder();
        text.Append("# Record of processing activities (GDPR Art. 30(1))\n\n");
        text.Append(CultureInfo.InvariantCulture, $"- Controller: {Cell(_catalog.Controller ?? "(not declared)")}\n");
        text.Append(CultureInfo.InvariantCulture, $"- Data protection officer: {Cell(_catalog.DataProtectionOfficer ?? "(none declared)")}\n");
        foreach (var activity in _catalog.Activities)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n## {activity.Name}\n\n| Art. 30(1) | |\n|---|---|\n");
            Row(text, "Purpose (b)", activity.Purpose);
            Row(text, "Legal basis", $"{BasisArticle(activity.LegalBasis)} GDPR, {BasisName(activity.LegalBasis)}" + (activity.LegalBasisDetail is { } d ? $": {d}" : string.Empty));
            Row(text, "Categories of data subjects (c)", List(activity.SubjectCategories));
            Row(text, "Categories of personal data (c)", List(activity.DataCategories));
            Row(text, "Recipients (d)", List(activity.Recipients));
            Row(text, "Third-country transfers and safeguards (e)", activity.Transfers.Count == 0 ? "none" : string.Join("; ", activity.Transfers.Select(t => $"{t.Destination} ({t.Safeguard})")));
            Row(text, "Retention (f)", Retention(activity));
            Row(text, "Security measures (g)", List(activity.SecurityMeasures));
            Row(text, "Notice shown", activity.Notice ?? "none");
            if (activity.Fields.Count > 0)
            {
                Row(text, "Fields used, as seen, and kept (Art. 5(1)(c),(e))", string.Join("; ", activity.Fields.Select(f => $"{f.Path} ({ViewWords(f)}; {FieldRetention(activity, f)})")));
            }

            if (activity.AppData.Count > 0 || activity.TokenScopes.Count > 0)
            {
                Row(text, "Other data read", string.Join("; ", activity.AppData.Select(a => $"app data '{a}'").Concat(activity.TokenScopes.Select(t => $"tokens of scope '{t}'"))));
            }
        }

        return text.ToString();
    }

    public string GetRetentionNoticeMarkdown()
    {
        var text = new StringBuilder();
        text.Append("# Notice at collection: what we collect, why, and how long we keep it\n\n");
        if (_catalog.Controller is { } controller)
        {
            text.Append(CultureInfo.InvariantCulture, $"Who collects it: {Cell(controller)}.\n\n");
        }

        text.Append("We collect the following personal information for the following purposes, and keep it no longer than shown.\n\n");
        text.Append("| Purpose | Categories of personal information | Kept for |\n|---|---|---|\n");
        foreach (var activity in _catalog.Activities)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {Cell(activity.Purpose)} | {Cell(List(activity.DataCategories))} | {Cell(Retention(activity))} |\n");
        }

        if (_catalog.Activities.Any(a => a.Fields.Count > 0))
        {
            text.Append("\nEach purpose uses only these fields of your profile, sees them only as shown, and keeps each no longer than shown; a field no purpose needs any longer is deleted.\n\n");
            text.Append("| Purpose | Field | What it sees | Kept for |\n|---|---|---|---|\n");
            foreach (var activity in _catalog.Activities)
            {
                foreach (var field in activity.Fields)
                {
                    text.Append(CultureInfo.InvariantCulture, $"| {Cell(activity.Purpose)} | {Cell(field.Path)} | {Cell(ViewWords(field))} | {Cell(FieldRetention(activity, field))} |\n");
                }
            }
        }

        return text.ToString();
    }

    /// <summary>Registers the catalogue.</summary>
    public static void Register(IServiceCollection services)
    {
        Diagnostics.Instrumented.AddPrivacyCatalog<PrivacyCatalog>(services);
        services.TryAddSingleton<IPurposeViews, PurposeViews>();
    }

    /// <summary>A duration as people say it: whole years, weeks or days where it is one, else hours or minutes.</summary>
    internal static string Describe(TimeSpan span) => span switch
    {
        { TotalDays: var d } when d >= 365 && d % 365 == 0 => Count((long)(d / 365), "year"),
        { TotalDays: var d } when d >= 7 && d % 7 == 0 => Count((long)(d / 7), "week"),
        { TotalDays: var d } when d >= 1 && d % 1 == 0 => Count((long)d, "day"),
        { TotalHours: var h } when h >= 1 && h % 1 == 0 => Count((long)h, "hour"),
        _ => Count((long)Math.Ceiling(span.TotalMinutes), "minute"),
    };

    private static string Count(long n, string unit) => n.ToString(CultureInfo.InvariantCulture) + " " + unit + (n == 1 ? string.Empty : "s");

    private static string Retention(ProcessingActivity activity) => (activity.Retention, activity.RetentionDescription) switch
    {
        ({ } r, { } d) => $"{Describe(r)} ({d})",
        ({ } r, null) => Describe(r),
        (null, { } d) => d,
        _ => "not declared",
    };

    /// <summary>What a purpose sees of a field, in words.</summary>
    internal static string ViewWords(PurposeField field) => field.View switch
    {
        FieldView.Plain => "as stored",
        FieldView.LastFour => "its last four characters only",
        FieldView.EmailDomain => "the email domain only",
        FieldView.Year => "the year only",
        _ => $"transformed ({field.Transform})",
    };

    /// <summary>How long a purpose keeps a field, in words.</summary>
    internal static string FieldRetention(ProcessingActivity activity, PurposeField field) => (field.Retention, field.RetentionFrom) switch
    {
        (null, RetentionEvent.ContractEnd) => "until the contract ends",
        (null, _) when activity.LegalBasis == LegalBasis.Consent => "until consent is withdrawn",
        (null, _) => "while the purpose lasts",
        ({ } r, RetentionEvent.Collection) => $"{Describe(r)} from collection",
        ({ } r, RetentionEvent.LastUse) => $"{Describe(r)} after its last use",
        ({ } r, RetentionEvent.ContractEnd) => $"{Describe(r)} after the contract ends",
        ({ } r, _) => $"{Describe(r)} after consent is withdrawn",
    };

    /// <summary>An activity's fields in the Art. 30 record, written only where it declares any (older records stay as they were).</summary>
    private static void WriteFields(Utf8JsonWriter writer, ProcessingActivity activity)
    {
        if (activity.Fields.Count > 0)
        {
            writer.WriteStartArray("fields");
            foreach (var field in activity.Fields)
            {
                writer.WriteStartObject();
                writer.WriteString("path", field.Path);
                writer.WriteString("view", field.View.ToString());
                writer.WriteString("transform", field.Transform);
                writer.WriteString("retention", field.Retention is { } r ? System.Xml.XmlConvert.ToString(r) : null);
                writer.WriteString("retentionFrom", field.RetentionFrom.ToString());
                writer.WriteString("retentionDescription", FieldRetention(activity, field));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (activity.AppData.Count > 0)
        {
            WriteList(writer, "appData", activity.AppData);
        }

        if (activity.TokenScopes.Count > 0)
        {
            WriteList(writer, "tokenScopes", activity.TokenScopes);
        }
    }

    private static string BasisArticle(LegalBasis basis) => $"Art. 6(1)({(char)('a' + (int)basis - 1)})";

    private static string BasisName(LegalBasis basis) => basis switch
    {
        LegalBasis.Consent => "consent",
        LegalBasis.Contract => "contract",
        LegalBasis.LegalObligation => "legal obligation",
        LegalBasis.VitalInterests => "vital interests",
        LegalBasis.PublicTask => "public task",
        _ => "legitimate interests",
    };

    private static string List(IReadOnlyList<string> items) => items.Count == 0 ? "none" : string.Join(", ", items);

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static void Row(StringBuilder text, string name, string value) => text.Append(CultureInfo.InvariantCulture, $"| {name} | {Cell(value)} |\n");

    private static void WriteList(Utf8JsonWriter writer, string name, IReadOnlyList<string> items)
    {
        writer.WriteStartArray(name);
        foreach (var item in items)
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }

    private static PublishedNotice ToPublished(StoredNotice notice) =>
        new(notice.Name, notice.Version, Convert.ToHexStringLower(notice.ContentHash), notice.Text, DateTimeOffset.FromUnixTimeMilliseconds(notice.PublishedAt));
}
