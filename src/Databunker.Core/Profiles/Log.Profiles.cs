namespace Databunker.Core.Profiles;

/// <summary>The profiles module's log events.</summary>
internal static partial class ProfileLog
{
    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Created {Count} person(s).")]
    public static partial void PersonsCreated(ILogger logger, int count);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "A concurrent update changed the person first; retrying (attempt {Attempt}).")]
    public static partial void UpdateRetry(ILogger logger, int attempt);

    [LoggerMessage(EventId = 25, Level = LogLevel.Warning, Message = "The {Module} module's part of registering persons failed ({ExceptionType}); its due-work pass finishes it.")]
    public static partial void RegistrationStepFailed(ILogger logger, string module, string exceptionType);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Deleted {Count} field(s) that no purpose needs any longer from a profile.")]
    public static partial void FieldsDeleted(ILogger logger, int count);

    [LoggerMessage(EventId = 31, Level = LogLevel.Error, Message = "Field retention could not look at a person ({ExceptionType}); it tries again in an hour.")]
    public static partial void FieldRetentionFailure(ILogger logger, string exceptionType);
}
