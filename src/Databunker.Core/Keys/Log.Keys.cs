namespace Databunker.Core.Keys;

/// <summary>The built-in key provider's warning about an insecure setup that the host chose to accept.</summary>
internal static partial class KeyLog
{
    [LoggerMessage(EventId = 26, Level = LogLevel.Warning, Message = "The master key file {File} can be read by other users of this machine (mode {Mode}); it is accepted because AllowGroupOrOtherReadableKeyFile is set. Restrict it to its owner (chmod 600) unless a group must share it.")]
    public static partial void KeyFileReadableByOthers(ILogger logger, string file, string mode);
}
