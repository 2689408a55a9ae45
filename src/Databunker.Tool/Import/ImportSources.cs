using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Databunker.Core;
using Microsoft.Data.Sqlite;
using nietras.SeparatedValues;
using Npgsql;

namespace Databunker.Tool.Import;

/// <summary>
/// A source row: its id as text (which makes its token), what it holds as the vault gets it (<see langword="null"/> when
/// it holds nothing mapped), and for a database its id as the database has it, to find the row again by its index.
/// </summary>
internal sealed record SourceRow(string Id, ImportRow? Row, object? Key = null)
{
    /// <summary>For a database, the mapped columns' values as read (in the order of <see cref="ColumnMap.Columns"/>): a clear happens only while the row still holds them.</summary>
    public object?[]? Values { get; init; }
}

/// <summary>Where an import reads its rows: pages of rows, in the same order on every run.</summary>
internal abstract class ImportSource : IAsyncDisposable
{
    /// <summary>How many rows the source holds, or how many bytes for a file (<see cref="Done"/> says how far the reading is).</summary>
    public abstract long Total { get; }

    /// <summary>How far the reading is, in the unit of <see cref="Total"/>.</summary>
    public abstract long Done { get; }

    /// <summary>Whether the source can take a column of tokens and have its columns cleared (a table of a database).</summary>
    public virtual bool IsWritable => false;

    /// <summary>The rows, <paramref name="size"/> at a time.</summary>
    public abstract IAsyncEnumerable<IReadOnlyList<SourceRow>> PagesAsync(int size, CancellationToken cancellationToken);

    /// <summary>Writes each token into the <paramref name="column"/> of its row (<see cref="IsWritable"/> sources only).</summary>
    public virtual Task WriteBackAsync(string column, IReadOnlyList<(object Key, Guid Token)> tokens, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    /// <summary>Sets the mapped columns of these rows to NULL (<see cref="IsWritable"/> sources only); returns how many were.</summary>
    public virtual Task<long> ClearAsync(IReadOnlyList<SourceRow> rows, CancellationToken cancellationToken) => throw new NotSupportedException();

    public abstract ValueTask DisposeAsync();
}

/// <summary>
/// A table or query of a SQLite or PostgreSQL database, read in pages ordered by the id column (keyset paging: no
/// reader stays open between pages, so tokens can be written back between them). The id column must be unique and never
/// NULL, or paging would pass rows over; that is checked when the source opens. Read-only unless the import writes.
/// </summary>
internal sealed class SqlImportSource : ImportSource
{
    private readonly DbConnection _connection;
    private readonly bool _postgreSql;
    private readonly string _query;
    private readonly string? _table;
    private readonly string _id;
    private readonly ColumnMap _map;
    private long _total;
    private long _done;
    private string?[]? _types;

    private SqlImportSource(DbConnection connection, bool postgreSql, string query, string? table, string id, ColumnMap map)
    {
        _connection = connection;
        _postgreSql = postgreSql;
        _query = query;
        _table = table;
        _id = id;
        _map = map;
    }

    public override long Total => _total;

    public override long Done => _done;

    public override bool IsWritable => _table is not null;

    /// <summary>Opens the source; <paramref name="writes"/> when tokens are written back or columns cleared (then <paramref name="table"/> is required).</summary>
    public static async Task<SqlImportSource> OpenAsync(
        string connectionString, bool postgreSql, string? table, string? query, string id, ColumnMap map, bool writes, CancellationToken cancellationToken)
    {
        if ((table is null) == (query is null))
        {
            throw new ArgumentException("Name the rows with exactly one of --table and --query.");
        }

        if (writes && table is null)
        {
            throw new ArgumentException("--write-back and --null-source change a table: name it with --table, not --query.");
        }

        var connection = Sql.Connect(connectionString, postgreSql, writes, "databunker import");
        var source = new SqlImportSource(connection, postgreSql, query?.Trim().TrimEnd(';') ?? $"SELECT * FROM {Sql.QuoteName(table!)}", table, id, map);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var rows = await Sql.CountUniqueIdsAsync(connection, source._query, id, cancellationToken).ConfigureAwait(false);
            source._total = rows;
            return source;
        }
        catch
        {
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async IAsyncEnumerable<IReadOnlyList<SourceRow>> PagesAsync(int size, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _done = 0;
        var mapped = _map.Columns;
        var columns = string.Join(", ", mapped.Prepend(_id).Select(Sql.Quote));
        object? last = null;
        while (true)
        {
            var page = new List<SourceRow>(size);
            var after = last is null ? string.Empty : $"WHERE {Sql.Quote(_id)} > @last ";
            await using (var select = Command($"SELECT {columns} FROM ({_query}\n) AS source {after}ORDER BY {Sql.Quote(_id)} LIMIT {size.ToString(CultureInfo.InvariantCulture)};", ("last", last)))
            {
                Sql.Type(select, "last", _types?[0]);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                _types ??= Sql.TypesOf(reader);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    last = reader.GetValue(0);
                    var values = new object?[mapped.Count];
                    for (var c = 0; c < values.Length; c++)
                    {
                        values[c] = reader.IsDBNull(c + 1) ? null : reader.GetValue(c + 1);
                    }

                    var text = SourceValue.Of(last).Text;
                    page.Add(new SourceRow(text, _map.ToRow(text, column => SourceValue.Of(values[IndexOf(mapped, column)])), last) { Values = values });
                }
            }

            if (page.Count == 0)
            {
                yield break;
            }

            _done += page.Count;
            yield return page;
            if (page.Count < size)
            {
                yield break;
            }
        }
    }

    public override async Task WriteBackAsync(string column, IReadOnlyList<(object Key, Guid Token)> tokens, CancellationToken cancellationToken)
    {
        await using var transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var update = Command($"UPDATE {Sql.QuoteName(_table!)} SET {Sql.Quote(column)} = @token WHERE {Sql.Quote(_id)} = @id;", ("token", string.Empty), ("id", tokens[0].Key));
        update.Transaction = transaction;
        Sql.Type(update, "id", _types?[0]);
        foreach (var (key, token) in tokens)
        {
            update.Parameters["token"].Value = token.ToString();
            update.Parameters["id"].Value = key;
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds the column of tokens to the table, or takes the one an earlier run added: a column that exists already must
    /// hold only tokens (or nothing), so that no data of the application's is written over.
    /// </summary>
    public async Task AddTokenColumnAsync(string column, CancellationToken cancellationToken)
    {
        if (string.Equals(column, _id, StringComparison.Ordinal))
        {
            throw new ArgumentException($"--write-back {column} is the id column: name a new column for the tokens.");
        }

        await Sql.TakeTokenColumnAsync(_connection, _postgreSql, _table!, column, static value => Guid.TryParse(value, out _), "--write-back", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sets the mapped columns of each row to NULL, only while the row still holds what the verify compared: a value the
    /// application changed meanwhile stays (and the row with it). Returns how many rows were cleared.
    /// </summary>
    public override async Task<long> ClearAsync(IReadOnlyList<SourceRow> rows, CancellationToken cancellationToken)
    {
        var mapped = _map.Columns;
        var set = string.Join(", ", mapped.Select(c => $"{Sql.Quote(c)} = NULL"));
        var unchanged = string.Join(" AND ", mapped.Select((c, i) => Sql.Same(c, "v" + i.ToString(CultureInfo.InvariantCulture), _types?[i + 1], _postgreSql)));
        var cleared = 0L;
        await using var transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            var parameters = row.Values!.Select((v, i) => ($"v{i.ToString(CultureInfo.InvariantCulture)}", v ?? DBNull.Value)).Append(("id", row.Key!)).ToArray();
            await using var update = Command($"UPDATE {Sql.QuoteName(_table!)} SET {set} WHERE {Sql.Quote(_id)} = @id AND {unchanged};", parameters!);
            update.Transaction = transaction;
            Sql.Type(update, "id", _types?[0]);
            for (var i = 0; i < mapped.Count; i++)
            {
                Sql.Type(update, "v" + i.ToString(CultureInfo.InvariantCulture), _types?[i + 1]);
            }

            cleared += await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return cleared;
    }

    public override ValueTask DisposeAsync() => _connection.DisposeAsync();

    private static int IndexOf(IReadOnlyList<string> columns, string column)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i] == column)
            {
                return i;
            }
        }

        return -1;
    }

    private DbCommand Command(string sql, params (string Name, object? Value)[] parameters) => Sql.Command(_connection, sql, parameters);
}

/// <summary>What the database sources share: opening, quoting, commands, and adding a column.</summary>
internal static class Sql
{
    /// <summary>A connection to the application's database: SQLite read-only unless <paramref name="writes"/> (a missing file is an error, never created).</summary>
    public static DbConnection Connect(string connectionString, bool postgreSql, bool writes, string application)
    {
        if (postgreSql)
        {
            return new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = application }.ConnectionString);
        }

        var builder = new SqliteConnectionStringBuilder(connectionString) { Mode = writes ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadOnly };
        if (builder.DataSource is "" or ":memory:" || !File.Exists(builder.DataSource))
        {
            throw new ArgumentException($"The SQLite database {builder.DataSource} does not exist.");
        }

        return new SqliteConnection(builder.ConnectionString);
    }

    /// <summary>
    /// How many rows <paramref name="query"/> returns, once it is checked that <paramref name="id"/> names each of them
    /// once and never is NULL: keyset paging would pass the others over, and a write by id would hit rows never read.
    /// </summary>
    public static async Task<long> CountUniqueIdsAsync(DbConnection connection, string query, string id, CancellationToken cancellationToken)
    {
        await using var count = Command(connection, $"SELECT COUNT(*), COUNT({Quote(id)}), COUNT(DISTINCT {Quote(id)}) FROM ({query}\n) AS source;");
        await using var reader = await count.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var (rows, ids, distinct) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        return ids < rows || distinct < ids
            ? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The id column {id} must name each row once: {rows - ids} row(s) have no id, and {ids - distinct} share one with another row. Name a unique column with --id."))
            : rows;
    }

    /// <summary>
    /// Whether the table has the column, and whether the column may be NULL. On PostgreSQL the table is found as the
    /// server finds it (its schema, or the search path); on SQLite in its schema (<c>main</c> unless named).
    /// </summary>
    public static async Task<(bool Exists, bool Nullable)> ColumnAsync(DbConnection connection, bool postgreSql, string table, string column, CancellationToken cancellationToken)
    {
        var dot = table.LastIndexOf('.');
        var (schema, name) = dot > 0 ? (table[..dot], table[(dot + 1)..]) : ("main", table);
        await using var find = postgreSql
            ? Command(connection,
                "SELECT NOT a.attnotnull FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid " +
                "WHERE a.attrelid = to_regclass(@table) AND c.relkind IN ('r', 'p') AND a.attname = @column AND a.attnum > 0 AND NOT a.attisdropped;",
                ("table", QuoteName(table)), ("column", column))
            : Command(connection,
                $"SELECT p.\"notnull\" = 0 FROM pragma_table_info(@table, @schema) p JOIN {Quote(schema)}.sqlite_master m ON m.type = 'table' AND m.name = @table " +
                "WHERE p.name = @column COLLATE NOCASE;", ("table", name), ("schema", schema), ("column", column));
        var found = await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return found is null or DBNull ? (false, false) : (true, Convert.ToBoolean(found, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Adds a column for tokens to the table, or takes the one an earlier run added: a column that exists already must
    /// hold only tokens (<paramref name="isToken"/>) or nothing, so that no data of the application's is written over.
    /// </summary>
    public static async Task TakeTokenColumnAsync(
        DbConnection connection, bool postgreSql, string table, string column, Func<string, bool> isToken, string option, CancellationToken cancellationToken)
    {
        if ((await ColumnAsync(connection, postgreSql, table, column, cancellationToken).ConfigureAwait(false)).Exists)
        {
            await using var values = Command(connection, $"SELECT {Quote(column)} FROM {QuoteName(table)} WHERE {Quote(column)} IS NOT NULL;");
            await using var reader = await values.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!isToken(SourceValue.Of(reader.GetValue(0)).Text))
                {
                    throw new ArgumentException($"The column {column} exists and holds other values than tokens: {option} would write over them.");
                }
            }

            return;
        }

        await AddColumnAsync(connection, postgreSql, table, column, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Each column's PostgreSQL type as <c>schema.name</c>, without a precision (<c>pg_catalog.timestamptz</c> for a
    /// <c>timestamp(3) with time zone</c>); all <see langword="null"/> on SQLite, whose values carry their own types.
    /// </summary>
    public static string?[] TypesOf(DbDataReader reader) => reader is Npgsql.NpgsqlDataReader postgres
        ? [.. Enumerable.Range(0, postgres.FieldCount).Select(i => postgres.GetPostgresType(i) is var type ? $"{type.Namespace}.{type.InternalName}" : null)]
        : new string?[reader.FieldCount];

    /// <summary>Types a parameter as the column it is compared with or written to (PostgreSQL; nothing on SQLite): a padded char(n), a json or an enum value then means what it meant in the column.</summary>
    public static void Type(DbCommand command, string name, string? type)
    {
        if (type is not null && command is Npgsql.NpgsqlCommand && command.Parameters.Contains(name))
        {
            ((Npgsql.NpgsqlParameter)command.Parameters[name]).DataTypeName = type;
        }
    }

    /// <summary>
    /// The SQL that a column still holds a parameter's value, NULL included: <c>IS</c> on SQLite, <c>IS NOT DISTINCT FROM</c>
    /// on PostgreSQL, where a type with no equality (json, xml, the geometric types) compares as its text.
    /// </summary>
    public static string Same(string column, string parameter, string? type, bool postgreSql) =>
        !postgreSql ? $"{Quote(column)} IS @{parameter}"
        : type is "pg_catalog.json" or "pg_catalog.xml" or "pg_catalog.point" or "pg_catalog.line" or "pg_catalog.lseg" or "pg_catalog.box" or "pg_catalog.path" or "pg_catalog.polygon" or "pg_catalog.circle"
            ? $"CAST({Quote(column)} AS text) IS NOT DISTINCT FROM CAST(@{parameter} AS text)"
            : $"{Quote(column)} IS NOT DISTINCT FROM @{parameter}";

    /// <summary>Adds a text column to the table, unless it is there already (from an earlier run).</summary>
    public static async Task AddColumnAsync(DbConnection connection, bool postgreSql, string table, string column, CancellationToken cancellationToken)
    {
        if ((await ColumnAsync(connection, postgreSql, table, column, cancellationToken).ConfigureAwait(false)).Exists)
        {
            return;
        }

        await using var alter = Command(connection, $"ALTER TABLE {QuoteName(table)} ADD COLUMN {Quote(column)} {(postgreSql ? "text" : "TEXT")};");
        await alter.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters.Where(p => p.Value is not null))
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A table's name, with its schema when it has one (<c>shop.users</c>).</summary>
    public static string QuoteName(string name) => string.Join('.', name.Split('.').Select(Quote));
}

/// <summary>A CSV file with a header line (RFC 4180: quoted values may hold commas, quotes and line breaks), read by Sep.</summary>
internal sealed class CsvImportSource(string path, string id, ColumnMap map) : ImportSource
{
    private FileStream? _reading;
    private bool _read;
    private int _line;

    public override long Total { get; } = new FileInfo(path).Length;

    /// <summary>Sep owns the stream while it reads, and closes it at the end.</summary>
    public override long Done => _read ? Total : _reading is { CanSeek: true } stream ? stream.Position : 0;

    public override async IAsyncEnumerable<IReadOnlyList<SourceRow>> PagesAsync(int size, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _read = false;
        _line = 1;
        _reading = File.OpenRead(path);
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true }).From(_reading);
        var header = reader.Header;
        foreach (var column in map.Columns.Prepend(id))
        {
            if (!header.ColNames.Contains(column, StringComparer.Ordinal))
            {
                throw new ArgumentException($"The CSV file's header line has no column {column}.");
            }
        }

        while (ReadPage(reader, size, cancellationToken) is { Count: > 0 } page)
        {
            yield return page;
            await Task.Yield();
        }

        _read = true;
    }

    /// <summary>Up to <paramref name="size"/> rows. A malformed row is named by its line alone: Sep's own message quotes the row.</summary>
    private List<SourceRow> ReadPage(SepReader reader, int size, CancellationToken cancellationToken)
    {
        var page = new List<SourceRow>(size);
        try
        {
            while (page.Count < size && reader.MoveNext())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var row = reader.Current;
                _line = row.LineNumberFrom;
                var key = row[id].ToString();
                if (string.IsNullOrWhiteSpace(key))
                {
                    throw new ArgumentException($"The row on line {_line.ToString(CultureInfo.InvariantCulture)} has no value in the id column {id}.");
                }

                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var column in map.Columns)
                {
                    values[column] = row[column].ToString();
                }

                page.Add(new SourceRow(key, map.ToRow(key, column => SourceValue.Of(values[column]))));
            }
        }
        catch (InvalidDataException)
        {
            throw new ArgumentException($"The CSV file is malformed after line {_line.ToString(CultureInfo.InvariantCulture)}: a row with another number of values than the header, or an unclosed quote.");
        }

        return page;
    }

    public override ValueTask DisposeAsync() => _reading?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>A JSON Lines file: one JSON object a line; <c>--map</c> names its top-level members, whose values are copied as they are.</summary>
internal sealed class JsonLinesImportSource(string path, string id, ColumnMap map) : ImportSource
{
    private FileStream? _reading;

    public override long Total { get; } = new FileInfo(path).Length;

    public override long Done => _reading is { CanSeek: true } stream ? stream.Position : Total;

    public override async IAsyncEnumerable<IReadOnlyList<SourceRow>> PagesAsync(int size, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _reading = File.OpenRead(path);
        using var reader = new StreamReader(_reading);
        var page = new List<SourceRow>(size);
        var number = 0L;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonElement row;
            try
            {
                using var document = JsonDocument.Parse(line);
                row = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new ArgumentException($"Line {number.ToString(CultureInfo.InvariantCulture)} of the JSON Lines file is not JSON.");
            }

            if (row.ValueKind != JsonValueKind.Object || !row.TryGetProperty(id, out var key) || key.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
            {
                throw new ArgumentException($"Line {number.ToString(CultureInfo.InvariantCulture)} of the JSON Lines file is not an object with a string or number {id}.");
            }

            var text = key.ValueKind == JsonValueKind.String ? key.GetString()! : key.GetRawText();
            page.Add(new SourceRow(text, map.ToRow(text, column => row.TryGetProperty(column, out var value) ? SourceValue.Of(value) : SourceValue.None)));
            if (page.Count == size)
            {
                yield return page;
                page = new List<SourceRow>(size);
            }
        }

        if (page.Count > 0)
        {
            yield return page;
        }
    }

    public override ValueTask DisposeAsync() => _reading?.DisposeAsync() ?? ValueTask.CompletedTask;
}
