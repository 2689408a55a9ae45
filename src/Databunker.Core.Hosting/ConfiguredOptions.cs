using Databunker.Core.AppData;
using Databunker.Core.Privacy;
using Databunker.Core.Requests;
using Microsoft.Extensions.Configuration;

namespace Databunker.Core.Hosting;

/// <summary>
/// Binds <see cref="DatabunkerOptions"/> from configuration. The configuration binder's source generator binds
/// plain settings classes; the options that are records with required members (the privacy catalogue), a
/// <see cref="TimeZoneInfo"/>, sets with defaults that configuration replaces, or a registration method (app data)
/// are read into the settings classes below and applied from there. A test sets every option through
/// configuration, so that a new option cannot be forgotten here.
/// </summary>
internal static class ConfiguredOptions
{
    public static void Apply(IConfiguration configuration, DatabunkerOptions options)
    {
        if (configuration.Get<VaultSettings>() is { } vault)
        {
            vault.ApplyTo(options);
        }

        configuration.GetSection("Expiration").Bind(options.Expiration);
        configuration.GetSection("Tokenization").Bind(options.Tokenization);
        configuration.GetSection("Sessions").Bind(options.Sessions);
        configuration.GetSection("Shares").Bind(options.Shares);
        configuration.GetSection("Consent").Bind(options.Consent);

        var appData = configuration.GetSection("AppData");
        if (appData["RemovalBatchSize"] is not null)
        {
            options.AppData.RemovalBatchSize = appData.GetValue<int>("RemovalBatchSize");
        }

        foreach (var app in appData.GetSection("Apps").GetChildren())
        {
            var settings = app.Get<AppSettings>() ?? new AppSettings();
            options.AppData.Register(app.Key, settings.MaxDocumentBytes ?? AppDataOptions.DefaultMaxDocumentBytes, settings.Retention);
        }

        if (configuration.GetSection("Requests").Get<RequestSettings>() is { } requests)
        {
            requests.ApplyTo(options.Requests, configuration.GetSection("Requests").Path);
        }

        if (configuration.GetSection("Privacy").Get<CatalogSettings>() is { } catalog)
        {
            catalog.ApplyTo(options.Privacy, configuration.GetSection("Privacy").Path);
        }
    }

    private static string Required(string? value, string path) =>
        string.IsNullOrWhiteSpace(value) ? throw new VaultConfigurationException($"{path} is required.") : value;

    internal sealed class VaultSettings
    {
        public string? DefaultActor { get; set; }

        public int? MaxProfileBytes { get; set; }

        public string? DefaultPhoneCountryCode { get; set; }

        public TimeSpan? AuditRetention { get; set; }

        public bool? AuditReads { get; set; }

        public int? ReadAuditWindow { get; set; }

        public TimeSpan? ReadAuditDelay { get; set; }

        public bool? CompactAfterForget { get; set; }

        public int? MaxBatchItems { get; set; }

        public int? AuditVerificationPageSize { get; set; }

        public int? RotationBatchSize { get; set; }

        public void ApplyTo(DatabunkerOptions options)
        {
            options.DefaultActor = DefaultActor ?? options.DefaultActor;
            options.MaxProfileBytes = MaxProfileBytes ?? options.MaxProfileBytes;
            options.DefaultPhoneCountryCode = DefaultPhoneCountryCode ?? options.DefaultPhoneCountryCode;
            options.AuditRetention = AuditRetention ?? options.AuditRetention;
            options.AuditReads = AuditReads ?? options.AuditReads;
            options.ReadAuditWindow = ReadAuditWindow ?? options.ReadAuditWindow;
            options.ReadAuditDelay = ReadAuditDelay ?? options.ReadAuditDelay;
            options.CompactAfterForget = CompactAfterForget ?? options.CompactAfterForget;
            options.MaxBatchItems = MaxBatchItems ?? options.MaxBatchItems;
            options.AuditVerificationPageSize = AuditVerificationPageSize ?? options.AuditVerificationPageSize;
            options.RotationBatchSize = RotationBatchSize ?? options.RotationBatchSize;
        }
    }

    internal sealed class AppSettings
    {
        public int? MaxDocumentBytes { get; set; }

        public TimeSpan? Retention { get; set; }
    }

    internal sealed class RequestSettings
    {
        public TimeSpan? CodeLifetime { get; set; }

        public int? MaxCodeAttempts { get; set; }

        public int? MaxCodes { get; set; }

        public TimeSpan? VerificationWindow { get; set; }

        public TimeSpan? InProgressTimeout { get; set; }

        public TimeSpan? RecordRetention { get; set; }

        /// <summary>Replaces the default (every type) when given; an empty list is written as <c>[]</c> in JSON only as a key with no children, so "None" stands for it.</summary>
        public List<string>? ApprovalRequired { get; set; }

        /// <summary>A time-zone id (<c>Europe/Berlin</c>).</summary>
        public string? TimeZone { get; set; }

        public List<DateOnly>? Holidays { get; set; }

        public int? BatchSize { get; set; }

        public void ApplyTo(PrivacyRequestOptions options, string path)
        {
            options.CodeLifetime = CodeLifetime ?? options.CodeLifetime;
            options.MaxCodeAttempts = MaxCodeAttempts ?? options.MaxCodeAttempts;
            options.MaxCodes = MaxCodes ?? options.MaxCodes;
            options.VerificationWindow = VerificationWindow ?? options.VerificationWindow;
            options.InProgressTimeout = InProgressTimeout ?? options.InProgressTimeout;
            options.RecordRetention = RecordRetention ?? options.RecordRetention;
            options.BatchSize = BatchSize ?? options.BatchSize;
            if (ApprovalRequired is not null)
            {
                options.ApprovalRequired.Clear();
                foreach (var type in ApprovalRequired.Where(t => !t.Equals("None", StringComparison.OrdinalIgnoreCase)))
                {
                    options.ApprovalRequired.Add(Enum.TryParse<PrivacyRequestType>(type, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                        ? parsed
                        : throw new VaultConfigurationException($"{path}:ApprovalRequired names \"{type}\", which is not a request type ({string.Join(", ", Enum.GetNames<PrivacyRequestType>())}, or None)."));
                }
            }

            if (TimeZone is not null)
            {
                try
                {
                    options.TimeZone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
                }
                catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
                {
                    throw new VaultConfigurationException($"{path}:TimeZone \"{TimeZone}\" is not a time zone of this system (give an IANA id such as Europe/Berlin).", ex);
                }
            }

            foreach (var day in Holidays ?? [])
            {
                options.Holidays.Add(day);
            }
        }
    }

    internal sealed class CatalogSettings
    {
        public string? Controller { get; set; }

        public string? DataProtectionOfficer { get; set; }

        public List<ActivitySettings> Activities { get; set; } = [];

        public List<NoticeSettings> Notices { get; set; } = [];

        public void ApplyTo(PrivacyCatalogOptions options, string path)
        {
            options.Controller = Controller ?? options.Controller;
            options.DataProtectionOfficer = DataProtectionOfficer ?? options.DataProtectionOfficer;
            for (var i = 0; i < Activities.Count; i++)
            {
                options.Activities.Add(Activities[i].ToActivity($"{path}:Activities:{i}"));
            }

            for (var i = 0; i < Notices.Count; i++)
            {
                options.Notices.Add(new PrivacyNotice
                {
                    Name = Required(Notices[i].Name, $"{path}:Notices:{i}:Name"),
                    Text = Required(Notices[i].Text, $"{path}:Notices:{i}:Text"),
                });
            }
        }
    }

    internal sealed class ActivitySettings
    {
        public string? Name { get; set; }

        public string? Purpose { get; set; }

        public LegalBasis? LegalBasis { get; set; }

        public string? LegalBasisDetail { get; set; }

        public List<string> SubjectCategories { get; set; } = [];

        public List<string> DataCategories { get; set; } = [];

        public List<string> Recipients { get; set; } = [];

        public List<TransferSettings> Transfers { get; set; } = [];

        public TimeSpan? Retention { get; set; }

        public string? RetentionDescription { get; set; }

        public List<string> SecurityMeasures { get; set; } = [];

        public string? Notice { get; set; }

        public ProcessingActivity ToActivity(string path) => new()
        {
            Name = Required(Name, path + ":Name"),
            Purpose = Required(Purpose, path + ":Purpose"),
            LegalBasis = LegalBasis ?? throw new VaultConfigurationException($"{path}:LegalBasis is required ({string.Join(", ", Enum.GetNames<LegalBasis>())})."),
            LegalBasisDetail = LegalBasisDetail,
            SubjectCategories = SubjectCategories,
            DataCategories = DataCategories,
            Recipients = Recipients,
            Transfers = [.. Transfers.Select((t, j) => new ThirdCountryTransfer(
                Required(t.Destination, $"{path}:Transfers:{j}:Destination"), Required(t.Safeguard, $"{path}:Transfers:{j}:Safeguard")))],
            Retention = Retention,
            RetentionDescription = RetentionDescription,
            SecurityMeasures = SecurityMeasures,
            Notice = Notice,
        };
    }

    internal sealed class TransferSettings
    {
        public string? Destination { get; set; }

        public string? Safeguard { get; set; }
    }

    internal sealed class NoticeSettings
    {
        public string? Name { get; set; }

        public string? Text { get; set; }
    }
}
