namespace Databunker.Core.PostgreSql;

/// <summary>How many rows of each table a copy moved.</summary>
/// <param name="RowsPerTable">Table name to rows copied, in the order the tables were copied.</param>
public sealed record VaultCopyReport(IReadOnlyList<KeyValuePair<string, long>> RowsPerTable)
{
    /// <summary>The rows copied in all.</summary>
    public long TotalRows => RowsPerTable.Sum(t => t.Value);
}
