using System.Globalization;

namespace Databunker.Core.Consent;

/// <summary>
/// Walks every person's consent ledger in (person, sequence) order, recomputing each link, and compares how many decisions
/// each person has with how many the audit trail records for them (each appended decision is audited in its transaction,
/// and the audit chain covers those events): a chain alone cannot show that its last decisions were cut. Also counts the
/// trail's <c>consent.link</c> events: the linking of decisions from before the chain runs once, in the start whose
/// migration added it, so a second one shows that migration applied again to a schema made to look older.
/// </summary>
internal sealed class ConsentLedgerVerifier(IConsentStore consents, IConsentChain chain, IAuditStore audit, IVaultStore vault, int pageSize)
{
    private long _persons;
    private long _decisions;
    private long _linkings;
    private long _headings;

    public async Task<ConsentVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var audited = await CountAuditedDecisionsAsync(cancellationToken).ConfigureAwait(false);
        if (_headings > 1)
        {
            return new ConsentVerification(false, 0, 0, null, null, string.Create(CultureInfo.InvariantCulture,
                $"The audit trail records {_headings} consent.heads events: the writing of the consent ledgers' heads ran more than once, so their migration was applied again to a schema made to look older."));
        }

        if (_linkings > 1)
        {
            return new ConsentVerification(false, 0, 0, null, null, string.Create(CultureInfo.InvariantCulture,
                $"The audit trail records {_linkings} consent.link events: the linking of decisions from before the consent chain ran more than once, so the chain's migration was applied again to a schema made to look older, and decisions rewritten before it were linked as genuine."));
        }

        var (owner, expected, previous) = ((Guid?)null, 1L, new byte[chain.LinkSize]);
        StoredConsentHead? head = null;
        while (true)
        {
            var page = await consents.GetConsentChainPageAsync(owner, expected - 1, pageSize, cancellationToken).ConfigureAwait(false);
            foreach (var stored in page)
            {
                if (stored.Event.Person != owner)
                {
                    if (owner is { } done && (HeadBroken(done, expected - 1, previous, head) ?? Cut(done, expected - 1, audited)) is { } cut)
                    {
                        return cut;
                    }

                    (owner, expected, previous) = (stored.Event.Person, 1L, new byte[chain.LinkSize]);
                    _persons++;
                }

                if (ConsentChainCheck.Problem(chain, expected, previous, stored) is { } problem)
                {
                    return Broken(stored.Event.Person, expected, problem);
                }

                (expected, previous, head) = (expected + 1, stored.Link, stored.Head);
                _decisions++;
            }

            if (page.Count < pageSize)
            {
                break;
            }
        }

        if (owner is { } last && (HeadBroken(last, expected - 1, previous, head) ?? Cut(last, expected - 1, audited)) is { } tail)
        {
            return tail;
        }

        // Heads of persons with no decision: their whole ledger was deleted, and its head left.
        if ((await consents.GetConsentHeadsWithoutDecisionsAsync(1, cancellationToken).ConfigureAwait(false)) is [var orphan, ..])
        {
            return Broken(orphan.Person, 1, string.Create(CultureInfo.InvariantCulture,
                $"Every decision of the person's consent ledger is missing: its head records {orphan.Sequence} decisions, the ledger holds none. They were deleted."));
        }

        // Persons the trail records decisions for and who have none left: forgotten, or their whole ledger was deleted.
        foreach (var (person, _) in audited.Where(a => a.Value > 0).OrderBy(a => a.Key))
        {
            if (!await vault.IsForgottenAsync(person, cancellationToken).ConfigureAwait(false))
            {
                return Broken(person, 1, "Every decision of the person's consent ledger is missing: the audit trail records decisions, the ledger holds none. They were deleted.");
            }
        }

        return new ConsentVerification(true, _persons, _decisions, null, null, null);
    }

    /// <summary>Whether an audit event records a decision appended to its subject's ledger.</summary>
    private static bool RecordsADecision(AuditRecord record) =>
        record.Person is not null && record.Operation switch
        {
            AuditOperations.ConsentRecord => record.Outcome == AuditOutcomes.Success,
            AuditOperations.ConsentExpired or AuditOperations.ConsentReconsent or AuditOperations.ConsentAttach => true,
            _ => false,
        };

    /// <summary>Per person, how many decisions the audit trail records (a purge of old events only lowers the counts).</summary>
    private async Task<Dictionary<Guid, long>> CountAuditedDecisionsAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<Guid, long>();
        foreach (var stripe in (await audit.GetAuditChainAsync(cancellationToken).ConfigureAwait(false)).Stripes)
        {
            for (long after = 0; ;)
            {
                var page = await audit.GetChainedAuditAsync(stripe.Stripe, after, pageSize, cancellationToken).ConfigureAwait(false);
                foreach (var entry in page)
                {
                    if (entry.Event.Operation == AuditOperations.ConsentLink)
                    {
                        _linkings++;
                    }
                    else if (entry.Event.Operation == AuditOperations.ConsentHeads)
                    {
                        _headings++;
                    }
                    else if (RecordsADecision(entry.Event))
                    {
                        counts[entry.Event.Person!.Value] = counts.GetValueOrDefault(entry.Event.Person.Value) + 1;
                    }

                    after = entry.Sequence;
                }

                if (page.Count < pageSize)
                {
                    break;
                }
            }
        }

        return counts;
    }

    /// <summary>A broken result when the trail records more decisions for <paramref name="person"/> than their ledger's <paramref name="count"/>.</summary>
    private ConsentVerification? Cut(Guid person, long count, Dictionary<Guid, long> audited)
    {
        audited.Remove(person, out var recorded);
        return recorded > count
            ? Broken(person, count + 1, string.Create(CultureInfo.InvariantCulture, $"Decision {count + 1} of the person's consent ledger is missing: the audit trail records {recorded} decisions, the ledger holds {count}. The last were deleted."))
            : null;
    }

    /// <summary>A broken result when <paramref name="person"/>'s ledger, whose last decision is <paramref name="count"/> with link <paramref name="last"/>, does not end where its head says.</summary>
    private ConsentVerification? HeadBroken(Guid person, long count, byte[]? last, StoredConsentHead? head) =>
        ConsentChainCheck.HeadProblem(chain, person, count, last, head) is { } problem ? Broken(person, problem.Sequence, problem.Problem) : null;

    private ConsentVerification Broken(Guid person, long sequence, string problem) => new(false, _persons, _decisions, person, sequence, problem);
}
