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
internal sealed record SourceRow(string Id, ImportRow? Row, object? Key = null);

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

    /// <summary>Sets the mapped columns of these rows to NULL (<see cref="IsWritable"/> sources only).</summary>
    public virtual Task ClearAsync(IReadOnlyList<object> keys, CancellationToken cancellationToken) => throw new NotSupportedException();

    public abstract ValueTask DisposeAsync();
}

/// <summary>
/// A table or query of a SQLite or PostgreSQL database, read in pages ordered by the id column (keyset paging: no
/// reader stays open between pages, so tokens can be written back between them). Read-only unless the import writes.
/// </summary>
internal sealed class SqlImportSource : ImportSource
{
    private readonly DbConnection _connection;
    private readonly bool _postgreSql;
    private readonly string _query;
    private readonly string? _table;
    private readonly string _id;
    private readonly ColumnMap _map;
    private readonly bool _writes;
    private long _total;
    private long _done;

    private SqlImportSource(DbConnection connection, bool postgreSql, string query, string? table, string id, ColumnMap map, bool writes)
    {
        _connection = connection;
        _postgreSql = postgreSql;
        _query = query;
        _table = table;
        _id = id;
        _map = map;
        _writes = writes;
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

        DbConnection connection;
        if (postgreSql)
        {
            connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "databunker import" }.ConnectionString);
        }
        else
        {
            var builder = new SqliteConnectionStringBuilder(connectionString) { Mode = writes ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadOnly };
            if (builder.DataSource is "" or ":memory:" || !File.Exists(builder.DataSource))
            {
                throw new ArgumentException($"The SQLite database {builder.DataSource} does not exist.");
            }

            connection = new SqliteConnection(builder.ConnectionString);
        }

        var source = new SqlImportSource(connection, postgreSql, query ?? $"SELECT * FROM {QuoteName(table!)}", table, id, map, writes);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var count = source.Command($"SELECT COUNT(*) FROM ({source._query}) AS source;");
            source._total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
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
        var columns = string.Join(", ", _map.Columns.Prepend(_id).Distinct(StringComparer.Ordinal).Select(Quote));
        object? last = null;
        while (true)
        {
            var page = new List<SourceRow>(size);
            var after = last is null ? string.Empty : $"WHERE {Quote(_id)} > @last ";
            await using (var select = Command($"SELECT {columns} FROM ({_query}) AS source {after}ORDER BY {Quote(_id)} LIMIT {size.ToString(CultureInfo.InvariantCulture)};", ("last", last)))
            {
                await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                var ordinals = Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, StringComparer.Ordinal);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    last = reader.GetValue(0);
                    var id = SourceValue.Of(last);
                    if (id.IsEmpty)
                    {
                        throw new ArgumentException($"A row has no value in the id column {_id}.");
                    }

                    var text = id.Text;
                    page.Add(new SourceRow(text, _map.ToRow(text, column => SourceValue.Of(reader.GetValue(ordinals[column]))), last));
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
        if (tokens.Count == 0)
        {
            return;
        }

        await using var transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (key, token) in tokens)
        {
            await using var update = Command($"UPDATE {QuoteName(_table!)} SET {Quote(column)} = @token WHERE {Quote(_id)} = @id;", ("token", token.ToString()), ("id", key));
            update.Transaction = transaction;
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds the column of tokens to the table, unless it is there already (from an earlier run).</summary>
    public async Task AddTokenColumnAsync(string column, CancellationToken cancellationToken)
    {
        var sql = _postgreSql
            ? $"ALTER TABLE {QuoteName(_table!)} ADD COLUMN IF NOT EXISTS {Quote(column)} text;"
            : $"ALTER TABLE {QuoteName(_table!)} ADD COLUMN {Quote(column)} TEXT;";
        if (!_postgreSql)
        {
            await using var exists = Command($"SELECT COUNT(*) FROM pragma_table_info(@table) WHERE name = @column;", ("table", _table), ("column", column));
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0)
            {
                return;
            }
        }

        await using var alter = Command(sql);
        await alter.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task ClearAsync(IReadOnlyList<object> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        var set = string.Join(", ", _map.Columns.Where(c => c != _id).Select(c => $"{Quote(c)} = NULL"));
        await using var transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var key in keys)
        {
            await using var update = Command($"UPDATE {QuoteName(_table!)} SET {set} WHERE {Quote(_id)} = @id;", ("id", key));
            update.Transaction = transaction;
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask DisposeAsync() => _connection.DisposeAsync();

    private DbCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
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

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A table's name, with its schema when it has one (<c>shop.users</c>).</summary>
    private static string QuoteName(string name) => string.Join('.', name.Split('.').Select(Quote));
}

/// <summary>A CSV file with a header line (RFC 4180: quoted values may hold commas, quotes and line breaks), read by Sep.</summary>
internal sealed class CsvImportSource(string path, string id, ColumnMap map) : ImportSource
{
    private FileStream? _reading;
    private bool _read;

    public override long Total { get; } = new FileInfo(path).Length;

    /// <summary>Sep owns the stream while it reads, and closes it at the end.</summary>
    public override long Done => _read ? Total : _reading is { CanSeek: true } stream ? stream.Position : 0;

    public override async IAsyncEnumerable<IReadOnlyList<SourceRow>> PagesAsync(int size, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _read = false;
        _reading = File.OpenRead(path);
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true }).From(_reading);
        var header = reader.Header;
        foreach (var column in map.Columns.Prepend(id))
        {
            if (!header.ColNames.Contains(column, StringComparer.Ordinal))
            {
                throw new ArgumentException($"The CSV file has no column {column} (its header names {string.Join(", ", header.ColNames)}).");
            }
        }

        var page = new List<SourceRow>(size);
        foreach (var row in reader)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = row[id].ToString();
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new ArgumentException($"The row on line {row.LineNumberFrom.ToString(CultureInfo.InvariantCulture)} has no value in the id column {id}.");
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var column in map.Columns)
            {
                values[column] = row[column].ToString();
            }

            page.Add(new SourceRow(key, map.ToRow(key, column => SourceValue.Of(values[column]))));
            if (page.Count == size)
            {
                yield return page;
                page = new List<SourceRow>(size);
                await Task.Yield();
            }
        }

        _read = true;
        if (page.Count > 0)
        {
            yield return page;
        }
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
