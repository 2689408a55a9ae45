using System.Globalization;
using System.Reflection;

namespace Databunker.Core.Shared;

/// <summary>
/// The embedded, ordered schema scripts of a storage provider: resources named
/// <c>{prefix}NNNN_name.sql</c>, numbered 1, 2, 3 ... without gaps.
/// </summary>
internal static class MigrationScripts
{
    /// <summary>
    /// The scripts above <paramref name="current"/>, in order; throws <see cref="VaultConfigurationException"/>
    /// when the store is at a version newer than the last script (a newer library migrated it).
    /// </summary>
    public static IEnumerable<(int Version, string Sql)> Pending(IReadOnlyList<(int Version, string Sql)> scripts, long current, string store, string package)
    {
        var latest = scripts.Count == 0 ? 0 : scripts[^1].Version;
        if (current > latest)
        {
            throw new VaultConfigurationException($"{store} {current}, newer than the {latest} this version of {package} knows: upgrade the library.");
        }

        return scripts.Where(s => s.Version > current);
    }

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
