using System.ComponentModel.DataAnnotations;

namespace Databunker.Core.Sessions;

/// <summary>Options of <see cref="ISessionManager"/>.</summary>
public sealed class SessionOptions : IValidatableObject
{
    /// <summary>How long a session lives after it was last seen, unless a create names another; positive.</summary>
    /// <value>20 minutes.</value>
    [TimeSpanRange("00:00:00.001", "3650000.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>How long a session lives after it was created however active it is, unless a create names another; positive.</summary>
    /// <value>12 hours.</value>
    [TimeSpanRange("00:00:00.001", "3650000.00:00:00")]
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// How stale a session's last-seen time may get before a touching read writes it again. A read-heavy web
    /// application reads its session on every request; writing the time on each would turn every request into a
    /// write. The idle expiry is therefore exact to within this interval. Zero writes on every touching read.
    /// </summary>
    /// <value>1 minute.</value>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan TouchInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The largest session data accepted, in bytes of compact UTF-8 JSON; 1 to 1 MiB.</summary>
    /// <value>16 KiB.</value>
    [Range(1, 1024 * 1024)]
    public int MaxDataBytes { get; set; } = 16 * 1024;

    /// <summary>The longest label accepted, in characters; 1 to 1,024.</summary>
    /// <value>200.</value>
    [Range(1, 1024)]
    public int MaxLabelLength { get; set; } = 200;

    /// <summary>
    /// Whether reads of a session bound to a person are audited (<c>session.get</c>, through the read-audit group
    /// commit). Off by default: a web application reads its session on every request, and the trail would then
    /// mostly say that the person clicked. Writes (create, replace, bind, end) are always audited.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool AuditReads { get; set; }

    /// <summary>How many expired sessions one batch of <see cref="ISessionManager.DeleteExpiredAsync"/> deletes; 1 to 100,000.</summary>
    /// <value>1,000.</value>
    [Range(1, 100_000)]
    public int RemovalBatchSize { get; set; } = 1000;

    /// <summary>The rule between options: the idle timeout no longer than the absolute one.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (IdleTimeout > AbsoluteTimeout)
        {
            yield return new ValidationResult("The idle timeout must not be longer than the absolute timeout.", [nameof(IdleTimeout), nameof(AbsoluteTimeout)]);
        }
    }
}
