namespace Databunker.Core.PostgreSql;

/// <summary>How many rows of each table a copy moved.</summary>
/// <param name="RowsPerTable">Table name to rows copied, in the order the tables were copied.</param>
public sealed record VaultCopyReport(IReadOnlyList<KeyValuePair<string, long>> RowsPerTable)
{
    /// <summary>The rows copied in all.</summary>
    public long TotalRows => RowsPerTable.Sum(t => t.Value);
}

/// <summary>Progress of <see cref="SqliteToPostgreSqlCopy.CopyAsync(string, string, IProgress{VaultCopyProgress}?, CancellationToken)"/>, after each table.</summary>
/// <param name="Table">The table just copied.</param>
/// <param name="TablesCopied">How many tables are copied.</param>
/// <param name="Tables">How many tables there are.</param>
/// <param name="RowsCopied">How many rows are copied so far, in all tables.</param>
public sealed record VaultCopyProgress(string Table, int TablesCopied, int Tables, long RowsCopied);
