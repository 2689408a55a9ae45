namespace Databunker.Core.Kernel;

/// <summary>The library's log events. None of them carries personal data, a token or key material. Each module keeps its events in a part of its own (Log.*.cs); event ids are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Vault opened at schema version {SchemaVersion}; new keys are wrapped under key version {KeyVersion}.")]
    public static partial void VaultOpened(ILogger logger, int schemaVersion, string keyVersion);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Refused a value that is already taken in the {Index} index.")]
    public static partial void DuplicateRefused(ILogger logger, string index);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Forgot a person ({Operation}).")]
    public static partial void PersonForgotten(ILogger logger, string operation);

    [LoggerMessage(EventId = 10, Level = LogLevel.Critical, Message = "A stored {Record} failed its integrity check: someone with write access to the database altered it. The call was refused.")]
    public static partial void IntegrityFailure(ILogger logger, string record);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Compaction could not finish ({Attempts} attempt(s), each waiting up to the busy timeout): a reader held the write-ahead log. Forgotten persons' old page images stay in it until a later compaction succeeds.")]
    public static partial void CompactionIncomplete(ILogger logger, int attempts);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "A stored ciphertext failed authentication during {Operation}.")]
    public static partial void CryptoFailure(ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "{Count} read audit event(s) could not be committed yet; they are kept, and reads commit them themselves once the read-audit window is full.")]
    public static partial void ReadAuditDeferred(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 17, Level = LogLevel.Error, Message = "{Count} read audit event(s) could not be committed when the vault shut down and are lost.")]
    public static partial void ReadAuditLost(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 29, Level = LogLevel.Warning, Message = "A profile written holds the field {Field}, which no processing activity declares (Privacy.CollectionLimit is Warn): declare it in an activity's Fields, or stop collecting it.")]
    public static partial void UndeclaredFieldCollected(ILogger logger, string field);
}
