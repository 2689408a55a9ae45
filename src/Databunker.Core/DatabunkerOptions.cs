using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Databunker.Core.Expiration;
using Databunker.Core.Tokenization;

namespace Databunker.Core;

/// <summary>Options of the vault, set through <c>AddDatabunker(options =&gt; ...)</c> and validated at start.</summary>
public sealed class DatabunkerOptions
{
    /// <summary>The actor recorded in the audit trail outside any <see cref="AuditActor"/> scope; 1 to 200 characters.</summary>
    /// <value>The entry assembly's name, else <c>host</c>.</value>
    [Required]
    [StringLength(200, MinimumLength = 1)]
    public string DefaultActor { get; set; } = Assembly.GetEntryAssembly()?.GetName().Name ?? "host";

    /// <summary>The largest profile accepted, in bytes of compact UTF-8 JSON; 1 KiB to 16 MiB.</summary>
    /// <value>64 KiB.</value>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxProfileBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// The country calling code (digits only, for example <c>44</c>) assumed for phone numbers written
    /// without a leading <c>+</c> or <c>00</c>; that country's trunk prefix (<c>0</c> in <c>020 7946 0958</c>) and
    /// lengths apply, from libphonenumber's numbering plans. When <see langword="null"/>, such numbers are refused.
    /// One to three digits, no leading zero.
    /// </summary>
    /// <value><see langword="null"/>.</value>
    [RegularExpression("^[1-9][0-9]{0,2}$", ErrorMessage = "DefaultPhoneCountryCode must be 1 to 3 digits without a leading zero, for example 44.")]
    public string? DefaultPhoneCountryCode { get; set; }

    /// <summary>How long audit events are kept before <see cref="IVaultAdministration.PurgeAuditEventsAsync"/> removes them; positive.</summary>
    /// <value>365 days.</value>
    [TimeSpanRange("00:00:00.001", "3650000.00:00:00")]
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Whether reads (<c>person.get</c>) are audited too.</summary>
    /// <value><see langword="true"/>.</value>
    public bool AuditReads { get; set; } = true;

    /// <summary>
    /// How many audit events of reads (<c>person.get</c>, <c>token.detokenize</c>) may be handed to the group
    /// commit and not yet committed; 0 to 100,000. A read's event joins the next batch instead of paying for a
    /// transaction of its own, and one writer commits batches one after another, so that reads scale (see
    /// docs/benchmarks.md). A crash of the process (not a clean dispose) loses at most this many read events;
    /// writes are never in the window, their event commits with them. With 0 every read's event is committed
    /// before the read returns. <see cref="IVaultAdministration.FlushAuditAsync"/>, reading, verifying or purging
    /// the audit trail and disposing the service provider commit what waits. On SQLite every commit makes each other
    /// connection drop its page cache at its next read, so fewer, larger batches also keep reads fast. With 0 on
    /// PostgreSQL, a read by token and a detokenize of a token without an owner send the read and its event in one
    /// round trip; so does a read by email, phone or login once this instance has created or found that person (it
    /// remembers which person a blind-index hash led to, up to 65,536 hashes and tokens, never a value).
    /// </summary>
    /// <value>4,096.</value>
    [Range(0, 100_000)]
    public int ReadAuditWindow { get; set; } = 4096;

    /// <summary>
    /// How long the group commit of read audit events waits for more events before it commits a batch, unless
    /// half the <see cref="ReadAuditWindow"/> is waiting already; 0 to 1 second. Longer waits make larger batches
    /// (fewer pages written per read) and leave read events uncommitted for longer; 0 commits as soon as the
    /// writer is free.
    /// </summary>
    /// <value>50 milliseconds.</value>
    [TimeSpanRange("00:00:00", "00:00:01")]
    public TimeSpan ReadAuditDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Whether every forget (through the vault or a delete link) compacts the storage right away, so that the
    /// forgotten person's old pages leave the SQLite write-ahead log at once instead of at the next scheduler
    /// pass or <see cref="IVaultAdministration.CompactAsync"/>. It costs a checkpoint per forget (on PostgreSQL
    /// a <c>VACUUM</c>).
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool CompactAfterForget { get; set; }

    /// <summary>
    /// The most items one many-item call takes (<see cref="IPersonalDataVault.CreatePersonsAsync"/>,
    /// <c>ITokenizer.TokenizeManyAsync</c> and <c>DetokenizeManyAsync</c>): each is one transaction, so an
    /// unbounded list would hold the database's write lock, and the memory, for as long as it takes. A longer
    /// list is refused with <see cref="VaultInputException"/>; split it. 1 to 1,000,000.
    /// </summary>
    /// <value>10,000.</value>
    [Range(1, 1_000_000)]
    public int MaxBatchItems { get; set; } = 10_000;

    /// <summary>How many audit events <see cref="IVaultAdministration.VerifyAuditTrailAsync"/> reads per page; 1 to 100,000.</summary>
    /// <value>2,000.</value>
    [Range(1, 100_000)]
    public int AuditVerificationPageSize { get; set; } = 2000;

    /// <summary>How many wrapped keys one rotation batch re-wraps; 1 to 100,000.</summary>
    /// <value>500.</value>
    [Range(1, 100_000)]
    public int RotationBatchSize { get; set; } = 500;

    /// <summary>Options of the expiration flow (data minimisation).</summary>
    /// <value>The defaults of <see cref="ExpirationOptions"/>.</value>
    [ValidateObjectMembers]
    public ExpirationOptions Expiration { get; } = new();

    /// <summary>Options of the tokenizer.</summary>
    /// <value>The defaults of <see cref="TokenizationOptions"/>.</value>
    [ValidateObjectMembers]
    public TokenizationOptions Tokenization { get; } = new();

    /// <summary>Options of the app-data module: the applications that may keep a document per person.</summary>
    /// <value>No application registered.</value>
    [ValidateObjectMembers]
    public AppData.AppDataOptions AppData { get; } = new();

    /// <summary>Options of the sessions module.</summary>
    /// <value>The defaults of <see cref="Sessions.SessionOptions"/>.</value>
    [ValidateObjectMembers]
    public Sessions.SessionOptions Sessions { get; } = new();

    /// <summary>Options of the shared-records module.</summary>
    /// <value>The defaults of <see cref="Shares.ShareOptions"/>.</value>
    [ValidateObjectMembers]
    public Shares.ShareOptions Shares { get; } = new();

    /// <summary>The privacy catalogue: the controller, its processing activities and its notices.</summary>
    /// <value>An empty catalogue.</value>
    [ValidateObjectMembers]
    public Privacy.PrivacyCatalogOptions Privacy { get; } = new();

    /// <summary>Options of the consent ledger.</summary>
    /// <value>The defaults of <see cref="Consent.ConsentOptions"/>.</value>
    [ValidateObjectMembers]
    public Consent.ConsentOptions Consent { get; } = new();

    /// <summary>Options of the data-subject requests.</summary>
    /// <value>The defaults of <see cref="Requests.PrivacyRequestOptions"/>.</value>
    [ValidateObjectMembers]
    public Requests.PrivacyRequestOptions Requests { get; } = new();
}
