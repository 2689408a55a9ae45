using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Databunker.Core.Profiles;

/// <summary>What became of one row of an import batch (<see cref="PersonalDataVault.ImportBatchAsync"/>).</summary>
/// <param name="Outcome">Created (or, in a dry run, would be), already there, a duplicate or refused.</param>
/// <param name="Index">For a duplicate, the index whose value is taken (<c>email</c>, ...), or <c>id</c> for a source id given twice.</param>
/// <param name="HeldBy">For a duplicate, the person who holds the value.</param>
/// <param name="Reason">For a refused row, why (the vault's message, which names no value).</param>
internal readonly record struct ImportedRow(ImportOutcome Outcome, string? Index = null, Guid? HeldBy = null, string? Reason = null);

/// <summary>
/// What one import run remembers across its batches: the tokens of the rows it has seen (an id given twice is a duplicate
/// wherever the second falls), and in a dry run, which nothing stores, the indexed values its rows would hold.
/// </summary>
internal sealed class ImportRunState
{
    public HashSet<Guid> Seen { get; } = [];

    public Dictionary<string, Guid> WouldHold { get; } = new(StringComparer.Ordinal);
}

internal sealed partial class PersonalDataVault
{
    /// <summary>
    /// The token an import gives a source row: HMAC-SHA256 under the vault's import key of the import's name and the row's
    /// id, cut to a version 4 GUID. The same row of the same import always gets the same token, so a run that resumes finds
    /// what it made before; nobody without the vault's keys can tell a token from a row id.
    /// </summary>
    internal static Guid ImportToken(byte[] key, string importName, string sourceId)
    {
        var name = Encoding.UTF8.GetBytes(importName);
        var id = Encoding.UTF8.GetBytes(sourceId);
        var message = new byte[4 + name.Length + id.Length];
        BinaryPrimitives.WriteInt32BigEndian(message, name.Length);
        name.CopyTo(message, 4);
        id.CopyTo(message, 4 + name.Length);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, message, mac);
        mac[7] = (byte)((mac[7] & 0x0F) | 0x40);
        mac[8] = (byte)((mac[8] & 0x3F) | 0x80);
        return new Guid(mac[..16]);
    }

    /// <summary>The tokens of source rows of an import (<see cref="ImportToken"/>).</summary>
    internal async Task<Guid[]> ImportTokensAsync(string importName, IReadOnlyList<string> sourceIds, CancellationToken cancellationToken)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        return [.. sourceIds.Select(id => ImportToken(lease.Keys.ImportTokens, importName, id))];
    }

    /// <summary>
    /// Imports one batch of source rows: each row's token is derived from the import's name and its id
    /// (<see cref="ImportToken"/>); rows whose token is known already (made by an earlier run, or forgotten since) are
    /// skipped; a row refused beforehand (<paramref name="refusals"/>: its app data), or by the vault's checks, or whose indexed value another row of the batch or a stored person
    /// holds, is reported and left out; the rest are created in one transaction, as <see cref="CreatePersonsAsync"/> does.
    /// A dry run checks the same and writes nothing.
    /// </summary>
    internal async Task<(Guid[] Tokens, ImportedRow[] Rows)> ImportBatchAsync(
        string importName, IReadOnlyList<string> sourceIds, IReadOnlyList<JsonElement> profiles, IReadOnlyList<string?> refusals, bool dryRun, ImportRunState run, CancellationToken cancellationToken)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var tokens = new Guid[sourceIds.Count];
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = ImportToken(lease.Keys.ImportTokens, importName, sourceIds[i]);
        }

        var rows = new ImportedRow[tokens.Length];
        var known = (await _storage.FindKnownTokensAsync(tokens, cancellationToken).ConfigureAwait(false)).ToHashSet();
        var holders = new Dictionary<string, int>(StringComparer.Ordinal);
        var pending = new List<(int Row, NewPerson Person)>();
        var now = audit.Now();
        for (var i = 0; i < tokens.Length; i++)
        {
            if (!run.Seen.Add(tokens[i]))
            {
                rows[i] = new ImportedRow(ImportOutcome.Duplicate, "id", tokens[i]);
                continue;
            }

            if (refusals[i] is { } refusal)
            {
                rows[i] = new ImportedRow(ImportOutcome.Refused, Reason: refusal);
                continue;
            }

            if (known.Contains(tokens[i]))
            {
                rows[i] = new ImportedRow(ImportOutcome.AlreadyImported);
                continue;
            }

            byte[]? json = null;
            List<IndexEntry> indexes;
            try
            {
                json = ProfileCodec.Serialize(profiles[i], _options.MaxProfileBytes, "profile");
                purposes.CheckCollection(profiles[i], "profile");
                indexes = directory.HashIndexes(profiles[i], lease.Keys, "profile");
            }
            catch (VaultInputException ex)
            {
                if (json is not null)
                {
                    Array.Clear(json);
                }

                rows[i] = new ImportedRow(ImportOutcome.Refused, Reason: ex.Message);
                continue;
            }

            var taken = indexes.FirstOrDefault(x => holders.ContainsKey(Convert.ToHexString(x.Hash)));
            if (taken is not null)
            {
                Array.Clear(json);
                rows[i] = new ImportedRow(ImportOutcome.Duplicate, PersonDirectory.IndexName(taken.Kind), tokens[holders[Convert.ToHexString(taken.Hash)]]);
                continue;
            }

            foreach (var index in indexes)
            {
                holders[Convert.ToHexString(index.Hash)] = i;
            }

            if (dryRun)
            {
                // Nothing is stored, so an earlier batch's rows are looked up in what the run remembers.
                Array.Clear(json);
                var earlier = indexes.FirstOrDefault(x => run.WouldHold.ContainsKey(Convert.ToHexString(x.Hash)));
                rows[i] = earlier is not null
                    ? new ImportedRow(ImportOutcome.Duplicate, PersonDirectory.IndexName(earlier.Kind), run.WouldHold[Convert.ToHexString(earlier.Hash)])
                    : await HeldAsync(indexes, cancellationToken).ConfigureAwait(false) ?? new ImportedRow(ImportOutcome.Created);
                if (rows[i].Outcome == ImportOutcome.Created)
                {
                    foreach (var index in indexes)
                    {
                        run.WouldHold[Convert.ToHexString(index.Hash)] = tokens[i];
                    }
                }

                continue;
            }

            pending.Add((i, await SealAsync(tokens[i], json, indexes, profiles[i], lease, now, cancellationToken).ConfigureAwait(false)));
        }

        while (pending.Count > 0)
        {
            try
            {
                await _storage.CreatePersonsAsync(pending.ConvertAll(p => p.Person), cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (DuplicateIndexException)
            {
                // A stored person holds a value: find whose, report those rows, and create the rest.
                var before = pending.Count;
                for (var p = pending.Count - 1; p >= 0; p--)
                {
                    if (await HeldAsync(pending[p].Person.Indexes, cancellationToken).ConfigureAwait(false) is { } duplicate)
                    {
                        rows[pending[p].Row] = duplicate;
                        pending.RemoveAt(p);
                    }
                }

                if (pending.Count == before)
                {
                    // Taken by a writer that has let go of it since: the run stops, and a run again takes the batch anew.
                    throw;
                }
            }
        }

        foreach (var (row, _) in pending)
        {
            rows[row] = new ImportedRow(ImportOutcome.Created);
        }

        var duplicates = rows.Count(r => r.Outcome == ImportOutcome.Duplicate && r.Index != "id");
        for (var d = 0; d < duplicates && !dryRun; d++)
        {
            await audit.AppendAsync(AuditOperations.PersonCreate, null, AuditOutcomes.Duplicate, CancellationToken.None).ConfigureAwait(false);
        }

        if (pending.Count > 0)
        {
            await AfterCreatedAsync(pending.ConvertAll(p => p.Person), lease.Keys.BlindIndexVersion, cancellationToken).ConfigureAwait(false);
        }

        return (tokens, rows);
    }

    /// <summary>The duplicate a stored person makes of one of <paramref name="indexes"/>, or <see langword="null"/>.</summary>
    private async Task<ImportedRow?> HeldAsync(IEnumerable<IndexEntry> indexes, CancellationToken cancellationToken)
    {
        foreach (var index in indexes)
        {
            if (await _storage.FindPersonByIndexAsync(index.Hash, cancellationToken).ConfigureAwait(false) is { } holder)
            {
                return new ImportedRow(ImportOutcome.Duplicate, PersonDirectory.IndexName(index.Kind), holder);
            }
        }

        return null;
    }
}
