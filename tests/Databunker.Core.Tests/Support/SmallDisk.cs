using System.Diagnostics;

namespace Databunker.Core.Tests.Support;

/// <summary>
/// A small tmpfs mounted for one test (root only, and only where the sandbox allows <c>mount</c>), with a filler
/// file that takes every free byte and can be deleted again: a disk that is full, then freed.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    private string Filler => System.IO.Path.Combine(Path, "filler");

    /// <summary>A mounted disk of <paramref name="megabytes"/> MiB owned by <paramref name="owner"/> (uid:gid), or null when mounting is not allowed here.</summary>
    public static SmallDisk? TryMount(int megabytes, string? owner = null)
    {
        var path = Directory.CreateTempSubdirectory("databunker-disk.").FullName;
        var ids = owner is null ? string.Empty : $",uid={owner.Split(':')[0]},gid={owner.Split(':')[1]},mode=0700";
        if (Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m{ids}", "tmpfs", path) != 0)
        {
            Directory.Delete(path);
            return null;
        }

        return new SmallDisk(path);
    }

    /// <summary>Writes the filler file until the disk refuses another byte.</summary>
    public void Fill()
    {
        var chunk = new byte[64 * 1024];
        Random.Shared.NextBytes(chunk);
        using var filler = new FileStream(Filler, FileMode.Append, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        foreach (var size in new[] { chunk.Length, 4096, 512 })
        {
            try
            {
                while (true)
                {
                    filler.Write(chunk, 0, size);
                }
            }
            catch (IOException)
            {
                // ENOSPC at this size: go on with smaller writes to take the last bytes.
            }
        }
    }

    /// <summary>Deletes the filler file.</summary>
    public void Free() => File.Delete(Filler);

    public void Dispose()
    {
        Run("umount", "-l", Path);
        Directory.Delete(Path);
    }

    private static int Run(string file, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
