
namespace Databunker.Core.Requests;

/// <summary>The data-subject requests' log events. A host's exception is logged by its type only: its message may hold what the host knows of the person.</summary>
internal static partial class RequestLog
{
    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "The privacy request notifier threw {ExceptionType} on a {Event} notice; the request's change stands.")]
    public static partial void RequestNotifierFailed(ILogger logger, string exceptionType, PrivacyRequestEvent @event);

    [LoggerMessage(EventId = 23, Level = LogLevel.Error, Message = "Carrying out a {Type} request failed ({Outcome}, {ExceptionType}); it can be approved again.")]
    public static partial void RequestFailed(ILogger logger, PrivacyRequestType type, string outcome, string exceptionType);

    [LoggerMessage(EventId = 24, Level = LogLevel.Warning, Message = "{Count} privacy request(s) became overdue.")]
    public static partial void RequestsOverdue(ILogger logger, int count);
}
