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
        var set = string.Join(", ", settings.Columns.Select((c, i) => $"{Sql.Quote(c + TokenizeSettings.Suffix)} = COALESCE(@t{i}, {Sql.Quote(c + TokenizeSettings.Suffix)}), {Sql.Quote(c)} = NULL"));
        string? update = null;
        object? last = null;
        string?[]? types = null;
        long rows = 0, tokens = 0;

        // Each listed row once, by its id: a row is left as it is for its first reason.
        var left = new List<string>();
        while (true)
        {
            var page = new List<(object Key, string Owner, object?[] Raw, string?[] Values)>();
            await using (var read = Sql.Command(connection, select + (last is null ? string.Empty : $" AND {id} > @last") + $" ORDER BY {id} LIMIT {settings.Batch.ToString(CultureInfo.InvariantCulture)};", ("last", last)))
            {
                Sql.Type(read, "last", types?[0]);
                await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                types ??= Sql.TypesOf(reader);
                update ??= $"UPDATE {table} SET {set} WHERE {id} = @id AND " +
                    string.Join(" AND ", settings.Columns.Select((c, i) => Sql.Same(c, $"v{i}", types[i + 2], _postgreSql))) + ";";
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

            var reasons = new Dictionary<int, string>();
            var made = await TokenizeAsync(page.ConvertAll(p => (p.Owner, p.Values)), reasons, cancellationToken).ConfigureAwait(false);
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var r = 0; r < page.Count; r++)
                {
                    // A row changes only when each of its values has its token (a blank value is cleared with them): one
                    // the vault refused keeps the row as it is, listed, and the row's other tokens stay unused with their person.
                    if (reasons.ContainsKey(r) || !Enumerable.Range(0, settings.Columns.Count).All(c => page[r].Values[c] is null || made.ContainsKey((r, c))))
                    {
                        continue;
                    }

                    var parameters = Enumerable.Range(0, settings.Columns.Count)
                        .Select(c => ($"t{c}", (object?)made.GetValueOrDefault((r, c)) ?? DBNull.Value))
                        .Concat(page[r].Raw.Select((v, c) => ($"v{c}", v ?? DBNull.Value)))
                        .Append(("id", page[r].Key)).ToArray();
                    await using var write = Sql.Command(connection, update, parameters!);
                    write.Transaction = transaction;
                    for (var c = 0; c < settings.Columns.Count; c++)
                    {
                        write.Parameters[$"t{c}"].DbType = System.Data.DbType.String;
                        Sql.Type(write, $"v{c}", types[c + 2]);
                    }

                    Sql.Type(write, "id", types[0]);
                    if (await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                    {
                        tokens += Enumerable.Range(0, settings.Columns.Count).Count(c => made.ContainsKey((r, c)));
                    }
                    else
                    {
                        // The application changed the row since it was read: it keeps its values; a run again takes it.
                        reasons[r] = "changed while it was read; left as it is, run again to take it.";
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            left.AddRange(reasons.OrderBy(x => x.Key).Select(x => $"Row {SourceValue.Of(page[x.Key].Key).Text}: {x.Value}"));
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
    /// a call; a call the vault refuses is tried again row by row, so that one bad value leaves only its own row. A row
    /// whose owner is empty or missing, or one of whose values the vault refuses, gets its reason in <paramref name="reasons"/>.
    /// </summary>
    private async Task<Dictionary<(int Row, int Column), string>> TokenizeAsync(
        List<(string Owner, string?[] Values)> page, Dictionary<int, string> reasons, CancellationToken cancellationToken)
    {
        var made = new Dictionary<(int Row, int Column), string>();
        for (var r = 0; r < page.Count; r++)
        {
            if (page[r].Owner.Length == 0 && page[r].Values.Any(v => v is not null))
            {
                reasons[r] = $"its {settings.Owner} is empty; left as it is.";
            }
        }

        var owners = page.Select(p => p.Owner).Where(o => o.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var persons = owners.Count == 0 ? [] : await importer.GetTokensAsync(settings.OwnerImport, owners, cancellationToken).ConfigureAwait(false);
        for (var o = 0; o < owners.Count; o++)
        {
            var cells = page.Select((row, r) => (row, r)).Where(x => x.row.Owner == owners[o])
                .SelectMany(x => x.row.Values.Select((v, c) => (Row: x.r, Column: c, Value: v))).Where(x => x.Value is not null).ToList();
            foreach (var chunk in cells.Chunk(ValuesPerCall))
            {
                if (!await TryTokenizeAsync(chunk, persons[o], made, reasons, cancellationToken).ConfigureAwait(false) && chunk.Select(x => x.Row).Distinct().Count() > 1)
                {
                    foreach (var row in chunk.GroupBy(x => x.Row))
                    {
                        await TryTokenizeAsync([.. row], persons[o], made, reasons, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        return made;
    }

    private async Task<bool> TryTokenizeAsync(
        (int Row, int Column, string? Value)[] cells, Guid owner, Dictionary<(int Row, int Column), string> made, Dictionary<int, string> reasons, CancellationToken cancellationToken)
    {
        try
        {
            var values = await tokenizer.TokenizeManyAsync(cells.Select(x => x.Value!), new TokenizeOptions { Scope = settings.Scope, Person = owner }, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < cells.Length; i++)
            {
                made[(cells[i].Row, cells[i].Column)] = values[i];
            }

            return true;
        }
        catch (PersonNotFoundException)
        {
            foreach (var row in cells.Select(x => x.Row).Distinct())
            {
                reasons.TryAdd(row, $"its {settings.Owner} names no person of the import {settings.OwnerImport} in the vault (never imported, or forgotten since); left as it is.");
            }

            return true; // no retry: the owner is missing for every row of the call
        }
        catch (VaultInputException ex)
        {
            if (cells.Select(x => x.Row).Distinct().Count() == 1)
            {
                reasons.TryAdd(cells[0].Row, $"the vault refused a value: {ex.Message}; left as it is.");
            }

            return false;
        }
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
                connection, _postgreSql, settings.Table, column + TokenizeSettings.Suffix, Scan.PersonalDataDetectors.HasVaultTokenShape, "tokenize", cancellationToken).ConfigureAwait(false);
        }
    }
}
