namespace Databunker.Core.Administration;

/// <summary>The minimisation report: every profile read once, only counts kept.</summary>
internal sealed partial class VaultAdministration
{
    private const int ReportPage = 500;

    public async Task<MinimisationReport> GetMinimisationReportAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var at = now.ToUnixTimeMilliseconds();
        var rows = new SortedDictionary<string, (long Persons, IReadOnlyList<string> Purposes, long Without, long Past)>(StringComparer.Ordinal);
        long persons = 0;
        Guid? after = null;
        while (true)
        {
            // Every person has exactly one data key, and no key version is the empty string: this pages every person.
            var page = await dataKeys.GetDataKeysNotUnderAsync(string.Empty, after, ReportPage, cancellationToken).ConfigureAwait(false);
            foreach (var key in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (await _persons.GetPersonAsync(key.Person, cancellationToken).ConfigureAwait(false) is not { } user)
                {
                    continue;
                }

                persons++;
                foreach (var hold in await HoldsAsync(user, at, cancellationToken).ConfigureAwait(false))
                {
                    var without = hold.HeldBy.Count == 0;
                    var past = !without && hold.HeldBy.All(h => h.Until is { } until && until <= at);
                    var row = rows.TryGetValue(hold.Field, out var r) ? r : (0, [.. hold.HeldBy.Select(h => h.Purpose)], 0, 0);
                    rows[hold.Field] = (row.Persons + 1, row.Purposes, row.Without + (without ? 1 : 0), row.Past + (past ? 1 : 0));
                }
            }

            if (page.Count < ReportPage)
            {
                break;
            }

            after = page[^1].Person;
        }

        await auditTrail.AppendAsync(AuditOperations.MinimisationReport, null, AuditOutcomes.Success, cancellationToken).ConfigureAwait(false);
        return new MinimisationReport(now, persons, [.. rows.Select(r => new FieldUsage(r.Key, r.Value.Persons, r.Value.Purposes, r.Value.Without, r.Value.Past))]);
    }

    /// <summary>One person's fields, each with the purposes that hold it and until when.</summary>
    private async Task<IReadOnlyList<Privacy.FieldHold>> HoldsAsync(StoredPerson user, long now, CancellationToken cancellationToken)
    {
        var states = purposes.TracksFields ? await _persons.GetPurposeStatesAsync(user.Token, cancellationToken).ConfigureAwait(false) : [];
        var consentEnds = await purposes.ConsentEndsAsync(user.Token, cancellationToken).ConfigureAwait(false);

        var dataKey = await directory.OpenDataKeyAsync(user, cancellationToken).ConfigureAwait(false);
        try
        {
            var json = PersonDirectory.OpenProfile(dataKey, user);
            var holds = purposes.Holds(ProfileCodec.Deserialize(json), user.CreatedAt, states, consentEnds);
            Array.Clear(json);
            return holds;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}
