using System.Text.Json;

namespace Databunker.Core.Profiles;

internal sealed partial class PersonalDataVault
{
    /// <summary>A read's event for the person found, made once rather than on every read.</summary>
    private readonly Func<Guid, AuditRecord> _personGetEvent = owner => audit.NewEvent(AuditOperations.PersonGet, owner, AuditOutcomes.Success);

    // An async method of its own, not a lambda handed to CryptoGuard: that cost a closure, a delegate, a second
    // state machine and a task on every read.
    public async Task<PersonRecord?> GetPersonAsync(PersonLookup lookup, CancellationToken cancellationToken = default)
    {
        purposes.RefuseUnnamed();
        try
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            StoredPerson? user;
            IndexMatch? match;
            var audited = false;
            if (directory.AuditsEachRead)
            {
                (user, match, audited) = await directory.FindAuditedAsync(
                    lookup, lease.Keys, _personGetEvent, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                (user, match) = await directory.FindAsync(lookup, lease.Keys, cancellationToken).ConfigureAwait(false);
            }

            if (_options.AuditReads && !audited)
            {
                await audit.AppendReadAsync(AuditOperations.PersonGet, user?.Token, user is null ? AuditOutcomes.NotFound : AuditOutcomes.Success, cancellationToken).ConfigureAwait(false);
            }

            if (user is null)
            {
                return null;
            }

            var dataKey = await directory.OpenDataKeyAsync(user, cancellationToken).ConfigureAwait(false);
            try
            {
                return Record(user, Open(dataKey, user, match));
            }
            finally
            {
                Zero(dataKey);
            }
        }
        catch (VaultCryptoException ex) when (CryptoGuard.Logged(_logger, AuditOperations.PersonGet, ex))
        {
            throw;
        }
    }

    public async Task<PersonRecord?> GetPersonForPurposeAsync(PersonLookup lookup, string purpose, CancellationToken cancellationToken = default)
    {
        var view = purposes.Resolve(purpose);
        try
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var (user, match) = await directory.FindAsync(lookup, lease.Keys, cancellationToken).ConfigureAwait(false);
            if (user is null)
            {
                if (_options.AuditReads)
                {
                    await audit.AppendReadAsync(AuditOperations.PersonUse, null, AuditOutcomes.NotFound, cancellationToken).ConfigureAwait(false);
                }

                return null;
            }

            try
            {
                await purposes.EnsureConsentAsync(user.Token, view, cancellationToken).ConfigureAwait(false);
            }
            catch (PurposeNotAllowedException)
            {
                if (_options.AuditReads)
                {
                    await audit.AppendReadAsync(AuditOperations.PersonUse, user.Token, AuditOutcomes.Refused, cancellationToken).ConfigureAwait(false);
                }

                throw;
            }

            var dataKey = await directory.OpenDataKeyAsync(user, cancellationToken).ConfigureAwait(false);
            try
            {
                var fields = new List<string>();
                JsonElement seen;
                if (match is null)
                {
                    // By token there is no index to check: project straight from the opened JSON, without parsing it whole.
                    var json = PersonDirectory.OpenProfile(dataKey, user);
                    seen = view.Project(json, fields);
                    Array.Clear(json);
                }
                else
                {
                    seen = view.Project(Open(dataKey, user, match), fields);
                }
                var at = audit.Now();
                if (_options.AuditReads)
                {
                    // The purpose and the pointers returned: the catalogue's names, never a value (AuditTrail.CatalogueDetails).
                    var details = view.AuditDetails("fields", fields);
                    await audit.AppendReadAsync([audit.NewEvent(AuditOperations.PersonUse, user.Token, AuditOutcomes.Success, details, at)], cancellationToken).ConfigureAwait(false);
                }

                await RecordUseAsync(user.Token, view.Name, at, cancellationToken).ConfigureAwait(false);

                return Record(user, seen);
            }
            finally
            {
                Zero(dataKey);
            }
        }
        catch (VaultCryptoException ex) when (CryptoGuard.Logged(_logger, AuditOperations.PersonUse, ex))
        {
            throw;
        }
    }

    /// <summary>A stored person's profile, opened, with the index it was found by checked against it.</summary>
    private JsonElement Open(byte[] dataKey, StoredPerson user, IndexMatch? match)
    {
        var profile = ProfileCodec.Deserialize(PersonDirectory.OpenProfile(dataKey, user));
        if (match is { } found)
        {
            directory.VerifyIndex(profile, found);
        }

        return profile;
    }

    private static PersonRecord Record(StoredPerson user, JsonElement profile) => new(
        user.Token,
        profile,
        DateTimeOffset.FromUnixTimeMilliseconds(user.CreatedAt),
        DateTimeOffset.FromUnixTimeMilliseconds(user.UpdatedAt));

    public Task<IReadOnlyList<AuditEvent>> GetAuditEventsAsync(Guid token, CancellationToken cancellationToken = default) =>
        GuardCryptoAsync("audit.read", async () =>
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var records = await audit.GetEventsAsync(token, cancellationToken).ConfigureAwait(false);
            var dataKey = records.Any(r => r.Details is not null && !AuditTrail.InTheClear(r))
                ? await directory.OpenDataKeyAsync(token, cancellationToken).ConfigureAwait(false)
                : null;
            try
            {
                // In the order they happened: a read's event joins the chain when its batch commits, which can be
                // after a write that followed the read (see DatabunkerOptions.ReadAuditWindow). OrderBy is stable, so
                // events of the same millisecond stay in chain order.
                return (IReadOnlyList<AuditEvent>)records.OrderBy(r => r.At).Select(r => new AuditEvent(
                        r.Id,
                        DateTimeOffset.FromUnixTimeMilliseconds(r.At),
                        r.Actor,
                        r.Operation,
                        r.Person,
                        r.Outcome,
                        AuditTrail.OpenDetails(dataKey, token, r),
                        r.Details is not null && dataKey is null && !AuditTrail.InTheClear(r)))
                    .ToList();
            }
            finally
            {
                if (dataKey is not null)
                {
                    Zero(dataKey);
                }
            }
        });
}
