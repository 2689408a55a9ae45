using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>
/// A connection of the vault's own pool: configured once when opened, it keeps its prepared statements,
/// and disposing it hands it back to the pool instead of closing it. Microsoft.Data.Sqlite's pool is off
/// for these connections, so that the pragmas and statements are not paid for on every call.
/// </summary>
internal sealed class PooledSqliteConnection(string connectionString, SqliteConnectionFactory pool) : SqliteConnection(connectionString)
{
    private bool _retired;

    /// <summary>The statements of the hot paths, run through SQLite's own API (<see cref="SqliteStatement"/>).</summary>
    public Dictionary<string, SqliteStatement> Statements { get; } = new(StringComparer.Ordinal);

    /// <summary>Closes the connection for good.</summary>
    public void Retire()
    {
        _retired = true;
        Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_retired && pool.TryReturn(this))
        {
            return;
        }

        if (disposing)
        {
            foreach (var statement in Statements.Values)
            {
                statement.Dispose();
            }

            Statements.Clear();
        }

        base.Dispose(disposing);
    }
}
