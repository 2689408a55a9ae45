using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>
/// Plain ADO.NET for the statements off the hot paths (migrations, audit pages, key upkeep), which the hot paths'
/// <see cref="SqliteStatement"/> does not need to cover. Rows are read by explicit mappers, not by reflection, so
/// that the package trims and compiles ahead of time without warnings. Parameters are named (<c>@name</c>).
/// </summary>
internal static class SqliteAdo
{
    public static int Execute(this SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, transaction, parameters);
        return command.ExecuteNonQuery();
    }

    public static long? ScalarInt64(this SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, transaction, parameters);
        return command.ExecuteScalar() is { } value and not DBNull ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    public static List<T> Query<T>(this SqliteConnection connection, string sql, Func<SqliteDataReader, T> read, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, transaction, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>The one row the statement returns, or <see langword="default"/> for none; more than one is a defect.</summary>
    public static T? QuerySingleOrDefault<T>(this SqliteConnection connection, string sql, Func<SqliteDataReader, T> read, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var rows = connection.Query(sql, read, transaction, parameters);
        return rows.Count switch
        {
            0 => default,
            1 => rows[0],
            _ => throw new InvalidOperationException("The statement returned more than one row."),
        };
    }

    public static byte[]? BytesOrNull(this SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : (byte[])reader.GetValue(ordinal);

    public static byte[] Bytes(this SqliteDataReader reader, int ordinal) => (byte[])reader.GetValue(ordinal);

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}
