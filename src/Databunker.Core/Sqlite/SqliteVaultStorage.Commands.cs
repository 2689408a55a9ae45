using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>Prepared commands cached per pooled connection, and their parameter setters.</summary>
internal sealed partial class SqliteVaultStorage
{
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

    // Fixed-arity overloads: a params array per statement was a measurable share of each call's allocations.
    private static int Execute(SqliteCommand command, object? a) => Set(command, 0, a).ExecuteNonQuery();

    private static int Execute(SqliteCommand command, object? a, object? b) => Set(Set(command, 0, a), 1, b).ExecuteNonQuery();

    private static int Execute(SqliteCommand command, object? a, object? b, object? c) =>
        Set(Set(Set(command, 0, a), 1, b), 2, c).ExecuteNonQuery();

    private static int Execute(SqliteCommand command, object? a, object? b, object? c, object? d) =>
        Set(Set(Set(Set(command, 0, a), 1, b), 2, c), 3, d).ExecuteNonQuery();

    private static int Execute(SqliteCommand command, object? a, object? b, object? c, object? d, object? e, object? f) =>
        Set(Set(Set(Set(Set(Set(command, 0, a), 1, b), 2, c), 3, d), 4, e), 5, f).ExecuteNonQuery();

    private static int Execute(SqliteCommand command, object? a, object? b, object? c, object? d, object? e, object? f, object? g) =>
        Set(Set(Set(Set(Set(Set(Set(command, 0, a), 1, b), 2, c), 3, d), 4, e), 5, f), 6, g).ExecuteNonQuery();

    private static int Execute(SqliteCommand command, object? a, object? b, object? c, object? d, object? e, object? f, object? g, object? h) =>
        Set(Set(Set(Set(Set(Set(Set(Set(command, 0, a), 1, b), 2, c), 3, d), 4, e), 5, f), 6, g), 7, h).ExecuteNonQuery();

    private static SqliteCommand Set(SqliteCommand command, int index, object? value)
    {
        command.Parameters[index].Value = value ?? DBNull.Value;
        return command;
    }
}
