namespace Databunker.Core.Kernel;

/// <summary>Reads a many-item argument into a list, refusing more than the configured maximum without reading past it.</summary>
internal static class BatchLimit
{
    public static List<T> Take<T>(IEnumerable<T> items, int max, string paramName)
    {
        var list = new List<T>(items.TryGetNonEnumeratedCount(out var count) ? Math.Min(count, max + 1) : 16);
        foreach (var item in items)
        {
            if (list.Count == max)
            {
                throw new VaultInputException($"At most {max} items go in one call (DatabunkerOptions.MaxBatchItems); split the list.", paramName);
            }

            list.Add(item);
        }

        return list;
    }
}
