namespace Databunker.Core.Kernel;

/// <summary>
/// Walks every stripe of the audit trail page by page from its start to the head read at the beginning,
/// recomputing each link. The counts read with the heads (in one snapshot) catch events stored outside the chains;
/// an anchored head catches events cut from the end of any stripe, and its hash the links it covered.
/// </summary>
internal sealed class AuditTrailVerifier(IAuditStore storage, IAuditChain chain, int pageSize)
{
    public async Task<AuditVerification> VerifyAsync(AuditChainHead? anchor, CancellationToken cancellationToken)
    {
        var anchored = anchor is null ? null : AuditHeads.Parse(anchor);
        var state = await storage.GetAuditChainAsync(cancellationToken).ConfigureAwait(false);
        var head = AuditHeads.Of(state);
        long checkedEvents = 0;
        AuditVerification Broken(int? stripe, long? sequence, string problem) => new(false, checkedEvents, state.LegacyEvents, head, stripe, sequence, problem);

        if (anchored is { } a)
        {
            if (state.LegacyEvents > a.LegacyEvents)
            {
                // A purge may only lower the count: unlinked events were inserted below a stripe's start since the anchor.
                return Broken(null, null, $"{state.LegacyEvents - a.LegacyEvents} event(s) from before the chain were added since the head was anchored: they were inserted.");
            }

            foreach (var (number, position) in a.Positions)
            {
                var stripe = state.Stripes.FirstOrDefault(s => s.Stripe == number);
                if (stripe is null || position > stripe.HeadSequence)
                {
                    var end = stripe?.HeadSequence ?? 0;
                    return Broken(number, end + 1, $"Stripe {number} ends at event {end}, before the anchored head's {position}: events were cut from its end.");
                }
            }
        }

        var anchoredLinks = new Dictionary<int, byte[]>();
        foreach (var stripe in state.Stripes)
        {
            var position = anchored is { } p && p.Positions.TryGetValue(stripe.Stripe, out var at) ? at : (long?)null;
            var previous = stripe.FirstPrevious;
            var expected = stripe.FirstSequence;
            if (previous.Length != chain.LinkSize)
            {
                return Broken(stripe.Stripe, expected, $"The start of stripe {stripe.Stripe} is not a link: it was altered.");
            }

            if (position == expected - 1)
            {
                anchoredLinks[stripe.Stripe] = previous;
            }

            while (expected <= stripe.HeadSequence)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = await storage.GetChainedAuditAsync(stripe.Stripe, expected - 1, pageSize, cancellationToken).ConfigureAwait(false);
                if (page.Count == 0)
                {
                    break;
                }

                foreach (var entry in page)
                {
                    if (entry.Sequence > stripe.HeadSequence)
                    {
                        break;
                    }

                    if (entry.Sequence != expected)
                    {
                        return Broken(stripe.Stripe, expected, $"Event {expected} of stripe {stripe.Stripe} is missing: it was deleted.");
                    }

                    var link = chain.Link(previous, stripe.Stripe, entry.Sequence, entry.Event);
                    if (entry.Link is null || !CryptographicOperations.FixedTimeEquals(link, entry.Link))
                    {
                        return Broken(stripe.Stripe, expected, $"Event {expected} of stripe {stripe.Stripe} fails its link: it was inserted, moved or altered.");
                    }

                    if (position == expected)
                    {
                        anchoredLinks[stripe.Stripe] = link;
                    }

                    previous = link;
                    expected++;
                    checkedEvents++;
                }
            }

            if (expected <= stripe.HeadSequence)
            {
                return Broken(stripe.Stripe, expected, $"Event {expected} of stripe {stripe.Stripe} is missing: the stripe ends before its head.");
            }

            if (!CryptographicOperations.FixedTimeEquals(previous, stripe.HeadLink))
            {
                return Broken(stripe.Stripe, stripe.HeadSequence, $"The head of stripe {stripe.Stripe} does not match its last event: the head was altered.");
            }
        }

        // A stripe purged past its anchored position no longer holds the link the hash covered: its position was checked above.
        if (anchored is { } anchoredHead && anchoredLinks.Count == anchoredHead.Positions.Count)
        {
            var digest = AuditHeads.Digest(anchoredHead.Positions.OrderBy(p => p.Key).Select(p => (p.Key, p.Value, anchoredLinks[p.Key])));
            if (!CryptographicOperations.FixedTimeEquals(digest, anchoredHead.Digest))
            {
                return Broken(null, null, "The stripes do not lead to the anchored head: the trail was rewritten since it was anchored.");
            }
        }

        var outside = state.Events - state.LegacyEvents - checkedEvents;
        if (outside != 0)
        {
            return Broken(null, null, $"{outside} event(s) are stored outside the chain: they were inserted.");
        }

        return new AuditVerification(true, checkedEvents, state.LegacyEvents, head, null, null, null);
    }
}
