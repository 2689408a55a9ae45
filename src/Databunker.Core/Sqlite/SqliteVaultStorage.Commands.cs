using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>Prepared commands cached per pooled connection, and their parameter setters.</summary>
internal sealed partial class SqliteVaultStorage
{
    /// <summary>Reads every row a command returns.</summary>
    private static List<T> ReadAll<T>(SqliteCommand select, Func<System.Data.Common.DbDataReader, T> read)
    {
        using var reader = select.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>
    /// Runs one prepared UPDATE per item in one transaction; each replaces a row only if it still holds what was
    /// read (the statement's own condition). Returns how many rows changed.
    /// </summary>
    private Task<int> ReplaceEach<T>(string sql, IReadOnlyList<T> items, Func<SqliteCommand, T, int> execute, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var names = System.Text.RegularExpressions.Regex.Matches(sql, @"\$\w+").Select(m => m.Value).Distinct().ToArray();
            var update = Command(connection, transaction, sql, names);
            return items.Sum(item => execute(update, item));
        }, cancellationToken);

    /// <summary>The connection's prepared command for <paramref name="sql"/>, made on first use and kept with the pooled connection.</summary>
    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params string[] parameters)
    {
        var cache = ((PooledSqliteConnection)connection).Commands;
        if (!cache.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            cache[sql] = command;
        }

        command.Transaction = transaction;
        return command;
    }

    // The cold paths' commands (ReplaceEach); the hot paths run SqliteStatement. A fixed arity spares a params array.
    private static int Execute(SqliteCommand command, object? a, object? b, object? c, object? d) =>
        Set(Set(Set(Set(command, 0, a), 1, b), 2, c), 3, d).ExecuteNonQuery();

    private static SqliteCommand Set(SqliteCommand command, int index, object? value)
    {
        command.Parameters[index].Value = value ?? DBNull.Value;
        return command;
    }
}
