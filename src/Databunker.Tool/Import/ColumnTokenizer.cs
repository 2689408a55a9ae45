using System.Data.Common;
using System.Globalization;
using Databunker.Core;
using Databunker.Core.Tokenization;

namespace Databunker.Tool.Import;

/// <summary>What a tokenize run is asked to do.</summary>
/// <param name="Table">The table whose columns are tokenized.</param>
/// <param name="Id">Its id column, by which its rows are read in pages and found again.</param>
/// <param name="Columns">The columns whose values become tokens; each one's tokens go into <c>column_token</c>.</param>
/// <param name="Scope">The tokens' scope, as the privacy catalogue's purposes name it (<c>address</c>).</param>
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
/// reads them only where it declares their scope. Each row changes in one statement: the tokens into the
/// <c>_token</c> columns and the values to NULL, so a row is either not yet done or done; a run again takes the rows
/// that still hold a value.
/// </summary>
internal sealed class ColumnTokenizer(DbConnection connection, IVaultImporter importer, ITokenizer tokenizer, TokenizeSettings settings, TextWriter output, ProgressWriter progress)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        foreach (var column in settings.Columns)
        {
            await Sql.AddColumnAsync(connection, connection is Npgsql.NpgsqlConnection, settings.Table, column + TokenizeSettings.Suffix, cancellationToken).ConfigureAwait(false);
        }

        var table = Sql.QuoteName(settings.Table);
        var id = Sql.Quote(settings.Id);
        var holding = string.Join(" OR ", settings.Columns.Select(c => $"{Sql.Quote(c)} IS NOT NULL"));
        await using (var count = Sql.Command(connection, $"SELECT COUNT(*) FROM {table} WHERE {holding};"))
        {
            _total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        var select = $"SELECT {id}, {Sql.Quote(settings.Owner)}, {string.Join(", ", settings.Columns.Select(Sql.Quote))} FROM {table} WHERE ({holding})";
        var set = string.Join(", ", settings.Columns.Select((c, i) => $"{Sql.Quote(c + TokenizeSettings.Suffix)} = COALESCE(@t{i}, {Sql.Quote(c + TokenizeSettings.Suffix)}), {Sql.Quote(c)} = NULL"));
        var update = $"UPDATE {table} SET {set} WHERE {id} = @id;";
        object? last = null;
        long rows = 0, tokens = 0;
        var orphaned = new List<string>();
        while (true)
        {
            var page = new List<(object Key, string Owner, string?[] Values)>();
            await using (var read = Sql.Command(connection, select + (last is null ? string.Empty : $" AND {id} > @last") + $" ORDER BY {id} LIMIT {settings.Batch.ToString(CultureInfo.InvariantCulture)};", ("last", last)))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    last = reader.GetValue(0);
                    var values = new string?[settings.Columns.Count];
                    for (var c = 0; c < values.Length; c++)
                    {
                        values[c] = SourceValue.Of(reader.GetValue(c + 2)) is { IsEmpty: false } value ? value.Text : null;
                    }

                    page.Add((last, SourceValue.Of(reader.GetValue(1)).Text, values));
                }
            }

            if (page.Count == 0)
            {
                break;
            }

            // The values of one owner in one call: each call is a transaction of the vault, and a token is its owner's.
            var made = new Dictionary<(int Row, int Column), string>();
            var owners = page.Select(p => p.Owner).Distinct(StringComparer.Ordinal).Where(o => o.Length > 0).ToList();
            var persons = owners.Count == 0 ? [] : await importer.GetTokensAsync(settings.OwnerImport, owners, cancellationToken).ConfigureAwait(false);
            for (var o = 0; o < owners.Count; o++)
            {
                var cells = page.Select((row, r) => (row, r)).Where(x => x.row.Owner == owners[o])
                    .SelectMany(x => x.row.Values.Select((v, c) => (Row: x.r, Column: c, Value: v))).Where(x => x.Value is not null).ToList();
                try
                {
                    var made1 = await tokenizer.TokenizeManyAsync(cells.Select(x => x.Value!), new TokenizeOptions { Scope = settings.Scope, Person = persons[o] }, cancellationToken).ConfigureAwait(false);
                    for (var i = 0; i < cells.Count; i++)
                    {
                        made[(cells[i].Row, cells[i].Column)] = made1[i];
                    }
                }
                catch (PersonNotFoundException)
                {
                    orphaned.AddRange(cells.Select(x => page[x.Row].Key).Distinct().Select(k => SourceValue.Of(k).Text));
                }
            }

            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var r = 0; r < page.Count; r++)
                {
                    if (!Enumerable.Range(0, settings.Columns.Count).Any(c => made.ContainsKey((r, c))))
                    {
                        continue; // no person to own its tokens: it keeps its values
                    }

                    var parameters = Enumerable.Range(0, settings.Columns.Count).Select(c => ($"t{c}", (object?)made.GetValueOrDefault((r, c)))).Append(("id", page[r].Key)).ToArray();
                    await using var write = Sql.Command(connection, update, parameters);
                    write.Transaction = transaction;
                    if (parameters.Any(p => p.Item2 is null))
                    {
                        // COALESCE needs every parameter bound: an empty cell keeps the column's token as it is.
                        foreach (var (name, _) in parameters.Where(p => p.Item2 is null))
                        {
                            var parameter = write.CreateParameter();
                            parameter.ParameterName = name;
                            parameter.Value = DBNull.Value;
                            parameter.DbType = System.Data.DbType.String;
                            write.Parameters.Add(parameter);
                        }
                    }

                    await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            rows += page.Count;
            tokens += made.Count;
            progress.Report(new ImportProgress("tokenized", Math.Min(rows, _total), _total, rows, tokens));
            if (page.Count < settings.Batch)
            {
                break;
            }
        }

        progress.Finish();
        foreach (var key in orphaned)
        {
            await output.WriteLineAsync($"Row {key}: its {settings.Owner} names no person of the import {settings.OwnerImport} in the vault; it keeps its values.").ConfigureAwait(false);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Read {rows} row(s) holding values: made {tokens} token(s) of scope {settings.Scope}, {orphaned.Count} row(s) left with no person to own them.")).ConfigureAwait(false);
        return orphaned.Count > 0 ? 1 : 0;
    }

    private long _total;
}
