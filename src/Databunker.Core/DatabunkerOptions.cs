using System.Reflection;
using Databunker.Core.Expiration;
using Databunker.Core.Tokenization;

namespace Databunker.Core;

/// <summary>Options of the vault, set through <c>AddDatabunker(options =&gt; ...)</c> and validated at start.</summary>
public sealed class DatabunkerOptions
{
    /// <summary>
    /// The actor recorded in the audit trail outside any <see cref="AuditActor"/> scope. Defaults to the
    /// entry assembly's name, else <c>host</c>.
    /// </summary>
    public string DefaultActor { get; set; } = Assembly.GetEntryAssembly()?.GetName().Name ?? "host";

    /// <summary>The largest profile accepted, in bytes of compact UTF-8 JSON. Default 64 KiB; 1 KiB to 16 MiB.</summary>
    public int MaxProfileBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// The country calling code (digits only, for example <c>44</c>) assumed for phone numbers written
    /// without a leading <c>+</c> or <c>00</c>; a single leading trunk <c>0</c> is dropped. When
    /// <see langword="null"/> (the default), such numbers are refused.
    /// </summary>
    public string? DefaultPhoneCountryCode { get; set; }

    /// <summary>How long audit events are kept before <see cref="IVaultAdministration.PurgeAuditEventsAsync"/> removes them. Default 365 days.</summary>
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Whether reads (<c>user.get</c>) are audited too. Default <see langword="true"/>.</summary>
    public bool AuditReads { get; set; } = true;

    /// <summary>
    /// Whether every forget (through the vault or a delete link) compacts the storage right away, so that the
    /// forgotten person's old pages leave the SQLite write-ahead log at once instead of at the next scheduler
    /// pass or <see cref="IVaultAdministration.CompactAsync"/>. It costs a checkpoint per forget (on PostgreSQL
    /// a <c>VACUUM</c>). Default <see langword="false"/>.
    /// </summary>
    public bool CompactAfterForget { get; set; }

    /// <summary>
    /// The most items one many-item call takes (<see cref="IPersonalDataVault.CreateUsersAsync"/>,
    /// <c>ITokenizer.TokenizeManyAsync</c> and <c>DetokenizeManyAsync</c>): each is one transaction, so an
    /// unbounded list would hold the database's write lock, and the memory, for as long as it takes. A longer
    /// list is refused with <see cref="VaultInputException"/>; split it. Default 10,000.
    /// </summary>
    public int MaxBatchItems { get; set; } = 10_000;

    /// <summary>How many audit events <see cref="IVaultAdministration.VerifyAuditTrailAsync"/> reads per page. Default 2,000.</summary>
    public int AuditVerificationPageSize { get; set; } = 2000;

    /// <summary>How many wrapped keys one rotation batch re-wraps. Default 500.</summary>
    public int RotationBatchSize { get; set; } = 500;

    /// <summary>Options of the expiration flow (data minimisation).</summary>
    public ExpirationOptions Expiration { get; } = new();

    /// <summary>Options of the tokenizer.</summary>
    public TokenizationOptions Tokenization { get; } = new();
}
