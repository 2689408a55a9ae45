using Microsoft.Extensions.Logging;

namespace Databunker.Core.Kernel;

/// <summary>The library's log events. None of them carries personal data, a token or key material.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Vault opened at schema version {SchemaVersion}; new keys are wrapped under key version {KeyVersion}.")]
    public static partial void VaultOpened(ILogger logger, int schemaVersion, string keyVersion);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Created {Count} person(s).")]
    public static partial void UsersCreated(ILogger logger, int count);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Refused a value that is already taken in the {Index} index.")]
    public static partial void DuplicateRefused(ILogger logger, string index);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Forgot a person ({Operation}).")]
    public static partial void UserForgotten(ILogger logger, string operation);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "A stored ciphertext failed authentication during {Operation}.")]
    public static partial void CryptoFailure(ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "A concurrent update changed the person first; retrying (attempt {Attempt}).")]
    public static partial void UpdateRetry(ILogger logger, int attempt);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Re-wrapped {Rewrapped} key(s) under key version {KeyVersion}; {Remaining} remaining.")]
    public static partial void KeysRewrapped(ILogger logger, long rewrapped, string keyVersion, long remaining);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Purged {Count} audit event(s) older than the retention.")]
    public static partial void AuditPurged(ILogger logger, int count);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "The vault is in memory: everything in it is lost when the service provider is disposed. Use a file for real data.")]
    public static partial void InMemoryVault(ILogger logger);

    [LoggerMessage(EventId = 10, Level = LogLevel.Critical, Message = "A stored {Record} failed its integrity check: someone with write access to the database altered it. The call was refused.")]
    public static partial void IntegrityFailure(ILogger logger, string record);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "The vault file {File} can be read by other users of this machine (mode {Mode}); restrict it to the owner (chmod 600).")]
    public static partial void FileReadableByOthers(ILogger logger, string file, string mode);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Compaction could not finish ({Attempts} attempt(s), each waiting up to the busy timeout): a reader held the write-ahead log. Forgotten persons' old page images stay in it until a later compaction succeeds.")]
    public static partial void CompactionIncomplete(ILogger logger, int attempts);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "The key provider wrapped under key version {Actual} while it advertises {Advertised}; the rotation takes {Actual} as its target.")]
    public static partial void KeyVersionAdopted(ILogger logger, string advertised, string actual);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Retired key version {KeyVersion}: remove it from the configuration and the secret store now. Backups and old log pages whose keys were wrapped under it can no longer be opened.")]
    public static partial void KeyVersionRetired(ILogger logger, string keyVersion);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "Renewed {Key}: {Done} item(s) moved to it; {Remaining} left for another call.")]
    public static partial void KeyRenewed(ILogger logger, string key, long done, long remaining);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Expiration pass: {Claimed} claimed, {Deleted} forgotten, {Failed} failed, in {Batches} batch(es).")]
    public static partial void ExpirationPass(ILogger logger, int claimed, int deleted, int failed, int batches);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "The expiration pass could not forget one due person; it stays claimed until the claim times out and is retried then.")]
    public static partial void ExpirationFailure(ILogger logger, Exception exception);
}
