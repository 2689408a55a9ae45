using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Databunker.Core.Sqlite;

/// <summary>
/// A statement prepared once per pooled connection and run through SQLite's own API, for the statements on
/// the hot paths. Microsoft.Data.Sqlite looks every parameter up by name, boxes its value and allocates a
/// binder for it on every execution, and a data reader per query; here parameters are bound by position from
/// spans and numbers, and columns are read in place. Every run ends in a reset, so that a statement never
/// keeps a read open; errors are thrown as Microsoft.Data.Sqlite's <see cref="SqliteException"/>.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private const int Row = 100;
    private const int Done = 101;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    private SqliteStatement(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
    }

    /// <summary>The connection's prepared statement for <paramref name="sql"/>, made on first use and kept with the pooled connection.</summary>
    public static SqliteStatement For(SqliteConnection connection, string sql)
    {
        var cache = ((PooledSqliteConnection)connection).Statements;
        if (!cache.TryGetValue(sql, out var statement))
        {
            var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
            var rc = raw.sqlite3_prepare_v3(db, sql, 1 /* SQLITE_PREPARE_PERSISTENT */, out var prepared, out var tail);
            SqliteException.ThrowExceptionForRC(rc, db);
            if (!string.IsNullOrWhiteSpace(tail))
            {
                prepared.Dispose();
                throw new ArgumentException("A prepared statement holds one SQL statement.", nameof(sql));
            }

            statement = new SqliteStatement(db, prepared);
            cache[sql] = statement;
        }

        return statement;
    }

    /// <summary>
    /// Rolls back the transaction the connection has open, if any (SQLite may have rolled it back already); a
    /// connection that cannot roll back is closed for good instead of going back to the pool.
    /// </summary>
    public static void RollBack(SqliteConnection connection)
    {
        var db = connection.Handle;
        if (db is null || raw.sqlite3_get_autocommit(db) != 0)
        {
            return;
        }

        try
        {
            For(connection, "ROLLBACK;").Execute();
        }
        catch (SqliteException)
        {
            ((PooledSqliteConnection)connection).Retire();
        }
    }

    /// <summary>Binds parameter <paramref name="index"/> (from 1) to a number.</summary>
    public SqliteStatement Bind(int index, long value)
    {
        Check(raw.sqlite3_bind_int64(_statement, index, value));
        return this;
    }

    /// <summary>Binds parameter <paramref name="index"/> (from 1) to a number, or NULL.</summary>
    public SqliteStatement Bind(int index, long? value) => value is { } v ? Bind(index, v) : BindNull(index);

    /// <summary>Binds parameter <paramref name="index"/> (from 1) to a copy of <paramref name="value"/>.</summary>
    public SqliteStatement Bind(int index, ReadOnlySpan<byte> value)
    {
        Check(raw.sqlite3_bind_blob(_statement, index, value));
        return this;
    }

    /// <summary>Binds parameter <paramref name="index"/> (from 1) to a copy of <paramref name="value"/>, or NULL.</summary>
    public SqliteStatement Bind(int index, byte[]? value) => value is null ? BindNull(index) : Bind(index, value.AsSpan());

    /// <summary>Binds parameter <paramref name="index"/> (from 1) to <paramref name="value"/> as text, or NULL.</summary>
    public SqliteStatement Bind(int index, string? value)
    {
        if (value is null)
        {
            return BindNull(index);
        }

        Check(raw.sqlite3_bind_text(_statement, index, value));
        return this;
    }

    /// <summary>Binds parameter <paramref name="index"/> (from 1) to a person's id (16 bytes).</summary>
    public SqliteStatement Bind(int index, Guid value)
    {
        Span<byte> bytes = stackalloc byte[16];
        value.TryWriteBytes(bytes);
        return Bind(index, (ReadOnlySpan<byte>)bytes);
    }

    /// <summary>Binds parameter <paramref name="index"/> (from 1) to NULL.</summary>
    public SqliteStatement BindNull(int index)
    {
        Check(raw.sqlite3_bind_null(_statement, index));
        return this;
    }

    /// <summary>Runs a statement that returns no rows; returns how many rows it changed.</summary>
    public int Execute()
    {
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc != Done && rc != Row)
            {
                Check(rc);
            }

            return raw.sqlite3_changes(_db);
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Starts a query; read its rows with <see cref="Rows.Next"/> and dispose it to end the query.</summary>
    public Rows Query() => new(this);

    public void Dispose() => _statement.Dispose();

    private void Reset()
    {
        raw.sqlite3_reset(_statement);
        raw.sqlite3_clear_bindings(_statement);
    }

    private void Check(int rc)
    {
        if (rc != 0)
        {
            try
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
            finally
            {
                Reset();
            }
        }
    }

    /// <summary>The rows of a running query; disposing it resets the statement.</summary>
    internal readonly struct Rows(SqliteStatement statement) : IDisposable
    {
        private readonly sqlite3_stmt _statement = statement._statement;

        /// <summary>Moves to the next row; false when there is none.</summary>
        public bool Next()
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc == Row)
            {
                return true;
            }

            if (rc != Done)
            {
                statement.Check(rc);
            }

            return false;
        }

        public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

        public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

        /// <summary>The column's bytes, valid until the next step.</summary>
        public ReadOnlySpan<byte> Span(int column) => raw.sqlite3_column_blob(_statement, column);

        public byte[] Bytes(int column) => Span(column).ToArray();

        public byte[]? BytesOrNull(int column) => IsNull(column) ? null : Bytes(column);

        public Guid Guid(int column) => new(Span(column));

        public string Text(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

        public void Dispose() => statement.Reset();
    }
}
