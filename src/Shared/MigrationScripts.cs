using System.Globalization;
using System.Reflection;

namespace Databunker.Core.Shared;

/// <summary>
/// The embedded, ordered schema scripts of a storage provider: resources named
/// <c>{prefix}NNNN_name.sql</c>, numbered 1, 2, 3 ... without gaps.
/// </summary>
internal static class MigrationScripts
{
    public static IReadOnlyList<(int Version, string Sql)> Load(Assembly assembly, string resourcePrefix)
    {
        var scripts = new List<(int Version, string Sql)>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(resourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var file = name[resourcePrefix.Length..];
            var version = int.Parse(file.AsSpan(0, file.IndexOf('_', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"Embedded migration {name} is missing.");
            using var reader = new StreamReader(stream);
            scripts.Add((version, reader.ReadToEnd()));
        }

        for (var i = 0; i < scripts.Count; i++)
        {
            if (scripts[i].Version != i + 1)
            {
                throw new InvalidOperationException("Embedded migrations must be numbered 1, 2, 3 ... without gaps.");
            }
        }

        return scripts;
    }
}
