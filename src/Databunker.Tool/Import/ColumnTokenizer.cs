using System.Data.Common;
using System.Globalization;
using Databunker.Core;
using Databunker.Core.Tokenization;

namespace Databunker.Tool.Import;

/// <summary>What a tokenize run is asked to do.</summary>
/// <param name="Table">The table whose columns are tokenized.</param>
/// <param name="Id">Its id column, unique and never NULL, by which its rows are read in pages and found again.</param>
/// <param name="Columns">The columns whose values become tokens; each one's tokens go into <c>column_token</c>.</param>
/// <param name="Scope">The tokens' scope: the name a purpose of the privacy catalogue declares (<c>TokenScopes</c>) to read them.</param>
/// <param name="Owner">The column naming each row's person by their row id in an import (an order's <c>user_id</c>).</param>
/// <param name="OwnerImport">That import's name.</param>
/// <param name="Batch">Rows per page.</param>
internal sealed record TokenizeSettings(string Table, string Id, IReadOnlyList<string> Columns, string Scope, string Owner, string OwnerImport, int Batch)
{
    public const string Suffix = "_token";
}

/// <summary>
/// <c>databunker tokenize</c>'s work: the values of some columns of a table that refers to imported persons (an order's
/// shipping address) become tokens owned by that person, so that they go when the person is forgotten and a purpose
/// reads them only where it declares their scope. Each row changes in one statement, and only while it still holds the
/// values read: the tokens into the <c>_token</c> columns, the values to NULL. A row is either not yet done or done; a run
/// again takes the rows that still hold a value.
/// </summary>
internal sealed class ColumnTokenizer(DbConnection connection, IVaultImporter importer, ITokenizer tokenizer, TokenizeSettings settings, TextWriter output, ProgressWriter progress)
{
    /// <summary>The most values one call of the tokenizer takes here (each call is one transaction of the vault).</summary>
    private const int ValuesPerCall = 1000;

    private readonly bool _postgreSql = connection is Npgsql.NpgsqlConnection;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var table = Sql.QuoteName(settings.Table);
        var id = Sql.Quote(settings.Id);
        await Sql.CountUniqueIdsAsync(connection, $"SELECT * FROM {table}", settings.Id, cancellationToken).ConfigureAwait(false);
        await CheckColumnsAsync(cancellationToken).ConfigureAwait(false);
        var holding = string.Join(" OR ", settings.Columns.Select(c => $"{Sql.Quote(c)} IS NOT NULL"));
        long total;
        await using (var count = Sql.Command(connection, $"SELECT COUNT(*) FROM {table} WHERE {holding};"))
        {
            total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        var select = $"SELECT {id}, {Sql.Quote(settings.Owner)}, {string.Join(", ", settings.Columns.Select(Sql.Quote))} FROM {table} WHERE ({holding})";
        var same = _postgreSql ? "IS NOT DISTINCT FROM" : "IS";
        var set = string.Join(", ", settings.Columns.Select((c, i) => $"{Sql.Quote(c + TokenizeSettings.Suffix)} = COALESCE(@t{i}, {Sql.Quote(c + TokenizeSettings.Suffix)}), {Sql.Quote(c)} = NULL"));
        var unchanged = string.Join(" AND ", settings.Columns.Select((c, i) => $"{Sql.Quote(c)} {same} @v{i}"));
        var update = $"UPDATE {table} SET {set} WHERE {id} = @id AND {unchanged};";
        object? last = null;
        string[]? types = null;
        long rows = 0, tokens = 0;
        var left = new List<string>();
        while (true)
        {
            var page = new List<(object Key, string Owner, object?[] Raw, string?[] Values)>();
            await using (var read = Sql.Command(connection, select + (last is null ? string.Empty : $" AND {id} > @last") + $" ORDER BY {id} LIMIT {settings.Batch.ToString(CultureInfo.InvariantCulture)};", ("last", last)))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                types ??= [.. Enumerable.Range(2, settings.Columns.Count).Select(reader.GetDataTypeName)];
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    last = reader.GetValue(0);
                    var raw = new object?[settings.Columns.Count];
                    var values = new string?[raw.Length];
                    for (var c = 0; c < raw.Length; c++)
                    {
                        raw[c] = reader.IsDBNull(c + 2) ? null : reader.GetValue(c + 2);
                        values[c] = SourceValue.Of(raw[c]) is { IsEmpty: false } value ? value.Text : null;
                    }

                    page.Add((last, SourceValue.Of(reader.GetValue(1)).Text, raw, values));
                }
            }

            if (page.Count == 0)
            {
                break;
            }

            var made = await TokenizeAsync(page.ConvertAll(p => (p.Key, p.Owner, p.Values)), left, cancellationToken).ConfigureAwait(false);
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var r = 0; r < page.Count; r++)
                {
                    // A row changes only when each of its values has its token: one the vault refused keeps the row as it is
                    // (listed), and the row's other tokens stay unused with their person.
                    var columns = Enumerable.Range(0, settings.Columns.Count).ToList();
                    if (!columns.Any(c => made.ContainsKey((r, c))) || !columns.All(c => page[r].Values[c] is null || made.ContainsKey((r, c))))
                    {
                        continue;
                    }

                    var parameters = Enumerable.Range(0, settings.Columns.Count)
                        .Select(c => ($"t{c}", (object?)made.GetValueOrDefault((r, c)) ?? DBNull.Value))
                        .Concat(page[r].Raw.Select((v, c) => ($"v{c}", v ?? DBNull.Value)))
                        .Append(("id", page[r].Key)).ToArray();
                    await using var write = Sql.Command(connection, update, parameters!);
                    write.Transaction = transaction;
                    foreach (DbParameter parameter in write.Parameters)
                    {
                        if (parameter.ParameterName.StartsWith('t'))
                        {
                            parameter.DbType = System.Data.DbType.String;
                        }
                    }

                    Sql.TypeAs(write, types, "v");
                    if (await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                    {
                        tokens += Enumerable.Range(0, settings.Columns.Count).Count(c => made.ContainsKey((r, c)));
                    }
                    else
                    {
                        // The application changed the row since it was read: it keeps its values; a run again takes it.
                        left.Add($"Row {SourceValue.Of(page[r].Key).Text}: changed while it was read; left as it is, run again to take it.");
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            rows += page.Count;
            progress.Report(new ImportProgress("tokenized", Math.Min(rows, total), total, rows, tokens));
            if (page.Count < settings.Batch)
            {
                break;
            }
        }

        progress.Finish();
        foreach (var line in left)
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Read {rows} row(s) holding values: made {tokens} token(s) of scope {settings.Scope}, {left.Count} row(s) left as they are.")).ConfigureAwait(false);
        return left.Count > 0 ? 1 : 0;
    }

    /// <summary>
    /// Tokenizes a page's values, those of one owner together (a token is its owner's), at most <see cref="ValuesPerCall"/>
    /// a call. A row whose owner is missing, or none of whose values the vault takes, is listed in <paramref name="left"/>.
    /// </summary>
    private async Task<Dictionary<(int Row, int Column), string>> TokenizeAsync(
        List<(object Key, string Owner, string?[] Values)> page, List<string> left, CancellationToken cancellationToken)
    {
        var made = new Dictionary<(int Row, int Column), string>();
        foreach (var (r, _) in page.Select((p, r) => (r, p)).Where(x => x.p.Owner.Length == 0))
        {
            left.Add($"Row {SourceValue.Of(page[r].Key).Text}: its {settings.Owner} is empty; left as it is.");
        }

        var owners = page.Select(p => p.Owner).Where(o => o.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var persons = owners.Count == 0 ? [] : await importer.GetTokensAsync(settings.OwnerImport, owners, cancellationToken).ConfigureAwait(false);
        for (var o = 0; o < owners.Count; o++)
        {
            var cells = page.Select((row, r) => (row, r)).Where(x => x.row.Owner == owners[o])
                .SelectMany(x => x.row.Values.Select((v, c) => (Row: x.r, Column: c, Value: v))).Where(x => x.Value is not null).ToList();
            foreach (var chunk in cells.Chunk(ValuesPerCall))
            {
                try
                {
                    var values = await tokenizer.TokenizeManyAsync(chunk.Select(x => x.Value!), new TokenizeOptions { Scope = settings.Scope, Person = persons[o] }, cancellationToken).ConfigureAwait(false);
                    for (var i = 0; i < chunk.Length; i++)
                    {
                        made[(chunk[i].Row, chunk[i].Column)] = values[i];
                    }
                }
                catch (Exception ex) when (ex is PersonNotFoundException or VaultInputException)
                {
                    var why = ex is PersonNotFoundException
                        ? $"its {settings.Owner} names no person of the import {settings.OwnerImport} in the vault (never imported, or forgotten since)"
                        : $"the vault refused a value: {ex.Message}";
                    left.AddRange(chunk.Select(x => x.Row).Distinct().Select(r => $"Row {SourceValue.Of(page[r].Key).Text}: {why}; left as it is."));
                }
            }
        }

        return made;
    }

    /// <summary>The columns must exist and may be NULL (a value is set to NULL once its token is written); an existing <c>_token</c> column must hold tokens only.</summary>
    private async Task CheckColumnsAsync(CancellationToken cancellationToken)
    {
        foreach (var column in settings.Columns)
        {
            var (exists, nullable) = await Sql.ColumnAsync(connection, _postgreSql, settings.Table, column, cancellationToken).ConfigureAwait(false);
            if (!exists)
            {
                throw new ArgumentException($"The table {settings.Table} has no column {column}.");
            }

            if (!nullable)
            {
                throw new ArgumentException($"The column {column} is declared NOT NULL: its values cannot be taken out. Drop the constraint first.");
            }
        }

        foreach (var column in settings.Columns)
        {
            await Sql.TakeTokenColumnAsync(
                connection, _postgreSql, settings.Table, column + TokenizeSettings.Suffix, IsToken, "tokenize", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The shape of an opaque token of the vault: 24 characters of base64url.</summary>
    private static bool IsToken(string value) => value.Length == 24 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
