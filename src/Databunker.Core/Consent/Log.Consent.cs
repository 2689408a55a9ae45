namespace Databunker.Core.Consent;

internal static partial class ConsentLog
{
    [LoggerMessage(EventId = 27, Level = LogLevel.Error, Message = "A consent was refused: the notice '{Notice}' of the privacy catalogue was not published. Call IPrivacyCatalog.PublishAsync at start (Databunker.Core.Hosting does it when the host starts).")]
    public static partial void CatalogNotPublished(ILogger logger, string notice);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "A consent decision was recorded, but field retention could not be told ({ExceptionType}): the person's fields are looked at when their next look falls due.")]
    public static partial void FieldRetentionWakeFailed(ILogger logger, string exceptionType);
}
