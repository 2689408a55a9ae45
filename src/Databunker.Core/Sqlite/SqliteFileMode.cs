namespace Databunker.Core.Sqlite;

/// <summary>
/// Keeps the vault's files private on Unix: a new database is created 0600 before SQLite opens it, and
/// SQLite gives its <c>-wal</c> and <c>-shm</c> files the database's own mode. An existing file that
/// group or others can read is used as it is, with a warning: changing an operator's file modes
/// silently would surprise them.
/// </summary>
internal static class SqliteFileMode
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    public static void Secure(string path, bool create, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (create && !File.Exists(path))
        {
            try
            {
                using var created = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly });
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another instance created it first; it is checked below like any existing file.
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // SQLite reports a path it cannot create with a clearer error when it opens it.
                return;
            }
        }

        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            if (File.Exists(file) && (File.GetUnixFileMode(file) & Shared) is var shared && shared != 0)
            {
                SqliteLog.FileReadableByOthers(logger, Path.GetFileName(file), Convert.ToString((int)File.GetUnixFileMode(file), 8));
            }
        }
    }
}
