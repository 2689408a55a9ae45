using Microsoft.Extensions.Logging;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// The web package's log events, under the category <c>Databunker.Core.AspNetCore</c>. None carries a code, a token, an
/// address or a person's token; event ids are stable and start at 1000, clear of the core library's.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "A privacy portal sign-in code could not be sent: the host's IPortalCodeSender threw {ExceptionType}. The person can ask for a new code.")]
    public static partial void CodeNotSent(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "A privacy portal sign-in code was not sent: {Capacity} codes already wait to be sent. The person can ask for a new code.")]
    public static partial void CodeQueueFull(ILogger logger, int capacity);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "A privacy portal sign-in code was not sent: the host is stopping. The person can ask for a new code.")]
    public static partial void CodeQueueClosed(ILogger logger);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "The host stopped before {Count} privacy portal sign-in code(s) were sent.")]
    public static partial void CodesNotDrained(ILogger logger, int count);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "A privacy portal code request was refused: the {Limit} limit of code requests is reached for this window.")]
    public static partial void CodeRequestLimited(ILogger logger, string limit);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "A DPO's expiration did not start: sending the links threw {ExceptionType} (no address to mail them to, no link address configured, or the mail did not go).")]
    public static partial void ExpirationNotStarted(ILogger logger, string exceptionType);
}
