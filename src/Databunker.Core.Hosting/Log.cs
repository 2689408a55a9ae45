using Microsoft.Extensions.Logging;

namespace Databunker.Core.Hosting;

/// <summary>The hosting package's log events (ids from 100); none carries personal data.</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Critical, "The vault cannot open, so the host does not start: {Reason}")]
    public static partial void VaultDidNotOpen(ILogger logger, string reason, Exception exception);

    [LoggerMessage(101, LogLevel.Information, "Due-work pass handled {Items} item(s): {Modules}")]
    public static partial void PassDone(ILogger logger, int items, string modules);

    [LoggerMessage(102, LogLevel.Debug, "Due-work pass found nothing due")]
    public static partial void PassEmpty(ILogger logger);

    [LoggerMessage(103, LogLevel.Warning, "Due-work pass failed ({FailuresInARow} in a row, transient: {Transient}); retrying in {RetryIn}")]
    public static partial void PassFailed(ILogger logger, int failuresInARow, TimeSpan retryIn, bool transient, Exception exception);

    [LoggerMessage(104, LogLevel.Debug, "Housekeeping: {Purged} audit event(s) past retention purged, storage compacted")]
    public static partial void Housekeeping(ILogger logger, int purged);
}
