namespace Databunker.Core.Expiration;

/// <summary>The expiration pass's log events.</summary>
internal static partial class ExpirationLog
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Expiration pass: {Claimed} claimed, {Deleted} forgotten, {Failed} failed, in {Batches} batch(es).")]
    public static partial void ExpirationPass(ILogger logger, int claimed, int deleted, int failed, int batches);

    [LoggerMessage(EventId = 28, Level = LogLevel.Debug, Message = "Expiration pass: nothing due.")]
    public static partial void ExpirationPassIdle(ILogger logger);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "The expiration pass could not forget one due person; it stays claimed until the claim times out and is retried then.")]
    public static partial void ExpirationFailure(ILogger logger, Exception exception);
}
