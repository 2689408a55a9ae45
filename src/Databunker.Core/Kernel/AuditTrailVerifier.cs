namespace Databunker.Core.Kernel;

/// <summary>
/// Walks the audit chain page by page from its start to the head read at the beginning, recomputing each
/// link. The counts read with the head (in one snapshot) catch events stored outside the chain.
/// </summary>
internal sealed class AuditTrailVerifier(IAuditStore storage, IAuditChain chain, int pageSize)
{
    public async Task<AuditVerification> VerifyAsync(AuditChainHead? anchor, CancellationToken cancellationToken)
    {
        var state = await storage.GetAuditChainAsync(cancellationToken).ConfigureAwait(false);
        var head = new AuditChainHead(state.HeadSequence, Convert.ToBase64String(state.HeadLink));
        var previous = state.FirstPrevious;
        var expected = state.FirstSequence;
        long checkedEvents = 0;
        AuditVerification Broken(long sequence, string problem) => new(false, checkedEvents, state.LegacyEvents, head, sequence, problem);

        if (anchor is not null && anchor.Sequence > state.HeadSequence)
        {
            return Broken(state.HeadSequence + 1, $"The trail ends at event {state.HeadSequence}, before the anchored head {anchor.Sequence}: events were cut from its end.");
        }

        while (expected <= state.HeadSequence)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await storage.GetChainedAuditAsync(expected - 1, pageSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var entry in page)
            {
                if (entry.Sequence > state.HeadSequence)
                {
                    break;
                }

                if (entry.Sequence != expected)
                {
                    return Broken(expected, $"Event {expected} is missing: it was deleted.");
                }

                var link = chain.Link(previous, entry.Sequence, entry.Event);
                if (entry.Link is null || !CryptographicOperations.FixedTimeEquals(link, entry.Link))
                {
                    return Broken(expected, $"Event {expected} fails its link: it was inserted, moved or altered.");
                }

                if (anchor is not null && anchor.Sequence == expected && Convert.ToBase64String(link) != anchor.Link)
                {
                    return Broken(expected, $"Event {expected} is not the anchored head: the trail was rewritten from there.");
                }

                previous = link;
                expected++;
                checkedEvents++;
            }
        }

        if (expected <= state.HeadSequence)
        {
            return Broken(expected, $"Event {expected} is missing: the trail ends before its head.");
        }

        if (!CryptographicOperations.FixedTimeEquals(previous, state.HeadLink))
        {
            return Broken(state.HeadSequence, "The chain's head does not match its last event: the head was altered.");
        }

        var outside = state.Events - state.LegacyEvents - checkedEvents;
        if (outside != 0)
        {
            return Broken(state.HeadSequence + 1, $"{outside} event(s) are stored outside the chain: they were inserted.");
        }

        return new AuditVerification(true, checkedEvents, state.LegacyEvents, head, null, null);
    }
}
