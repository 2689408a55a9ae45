namespace Databunker.Core.Administration;

/// <summary>The administration's log events: rotation, renewal, retirement, purges.</summary>
internal static partial class AdministrationLog
{
    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Re-wrapped {Rewrapped} key(s) under key version {KeyVersion}; {Remaining} remaining.")]
    public static partial void KeysRewrapped(ILogger logger, long rewrapped, string keyVersion, long remaining);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Purged {Count} audit event(s) older than the retention.")]
    public static partial void AuditPurged(ILogger logger, int count);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "The key provider wrapped under key version {Actual} while it advertises {Advertised}; the rotation takes {Actual} as its target.")]
    public static partial void KeyVersionAdopted(ILogger logger, string advertised, string actual);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Retired key version {KeyVersion}: remove it from the configuration and the secret store now. Backups and old log pages whose keys were wrapped under it can no longer be opened.")]
    public static partial void KeyVersionRetired(ILogger logger, string keyVersion);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "Renewed {Key}: {Done} item(s) moved to it; {Remaining} left for another call.")]
    public static partial void KeyRenewed(ILogger logger, string key, long done, long remaining);
}
