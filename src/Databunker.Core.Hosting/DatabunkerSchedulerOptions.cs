using Databunker.Core.Shared;

namespace Databunker.Core.Hosting;

/// <summary>
/// Options of the due-work scheduler (<see cref="DatabunkerHostingExtensions.AddScheduler"/>), bound from the
/// <c>Scheduler</c> section of the vault's configuration.
/// </summary>
public sealed class DatabunkerSchedulerOptions
{
    /// <summary>The time from the end of one pass to the start of the next; 1 second to 1 day.</summary>
    /// <value>1 minute.</value>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan Period { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The wait before the first retry after a failed pass; it doubles with every failure in a row, up to <see cref="MaxRetryDelay"/>. 100 ms to 1 hour.</summary>
    /// <value>5 seconds.</value>
    [TimeSpanRange("00:00:00.1", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between retries of failed passes; 1 second to 1 day.</summary>
    /// <value>5 minutes.</value>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often the housekeeping runs with a pass: the audit events older than
    /// <see cref="DatabunkerOptions.AuditRetention"/> are purged and the storage is compacted. 1 minute to 7 days.
    /// </summary>
    /// <value>1 hour.</value>
    [TimeSpanRange("00:01:00", "7.00:00:00")]
    public TimeSpan HousekeepingPeriod { get; set; } = TimeSpan.FromHours(1);
}
