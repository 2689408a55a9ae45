namespace Databunker.Core.Sqlite;

/// <summary>The SQLite store's warnings about an insecure setup.</summary>
internal static partial class SqliteLog
{
    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "The vault is in memory: everything in it is lost when the service provider is disposed. Use a file for real data.")]
    public static partial void InMemoryVault(ILogger logger);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "The vault file {File} can be read by other users of this machine (mode {Mode}); restrict it to the owner (chmod 600).")]
    public static partial void FileReadableByOthers(ILogger logger, string file, string mode);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "A background checkpoint of the SQLite write-ahead log failed; the next one tries again.")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception);
}
