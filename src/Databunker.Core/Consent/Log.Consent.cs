namespace Databunker.Core.Consent;

internal static partial class ConsentLog
{
    [LoggerMessage(EventId = 27, Level = LogLevel.Error, Message = "A consent was refused: the notice '{Notice}' of the privacy catalogue was not published. Call IPrivacyCatalog.PublishAsync at start (Databunker.Core.Hosting does it when the host starts).")]
    public static partial void CatalogNotPublished(ILogger logger, string notice);
}
