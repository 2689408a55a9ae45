using System.Collections.Concurrent;

namespace Databunker.Core.Profiles;

/// <summary>
/// Field retention: the profiles module's part of the due-work pass, the end of a purpose for a person, and the record
/// of a purpose's last use. What a purpose still holds is the catalogue's to say (<see cref="Privacy.IPurposeViews.Plan"/>).
/// </summary>
internal sealed partial class PersonalDataVault
{
    private const string SchedulerActor = "databunker-scheduler";
    private const int FieldRetentionBatch = 200;
    private const int UsesRemembered = 65_536;
    private static readonly long Day = (long)TimeSpan.FromDays(1).TotalMilliseconds;
    private static readonly long RetryAfter = (long)TimeSpan.FromHours(1).TotalMilliseconds;

    /// <summary>The day each (person, purpose) use was last recorded by this instance: a use is written once a day at most.</summary>
    private readonly ConcurrentDictionary<(Guid Person, string Purpose), long> _uses = new();

    public Task<bool> EndPurposeAsync(PersonLookup lookup, string purpose, CancellationToken cancellationToken = default)
    {
        var view = purposes.Resolve(purpose);
        if (Privacy.Purposes.IsBuiltIn(view.Name))
        {
            throw new PurposeNotAllowedException(purpose, PurposeRefusal.NotDeclared);
        }

        return GuardCryptoAsync(AuditOperations.PurposeEnd, async () =>
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var token = lookup.Kind == LookupKind.Token ? lookup.Token : await directory.FindTokenAsync(lookup, lease.Keys, cancellationToken).ConfigureAwait(false);
            var dataKey = token is { } t ? await directory.OpenDataKeyAsync(t, cancellationToken).ConfigureAwait(false) : null;
            if (dataKey is null)
            {
                await audit.AppendAsync(AuditOperations.PurposeEnd, token, AuditOutcomes.NotFound, cancellationToken).ConfigureAwait(false);
                return false;
            }

            try
            {
                var now = audit.Now();
                var details = AuditTrail.SealDetails(dataKey, token!.Value, AuditOperations.PurposeEnd, now, "purpose", [view.Name]);
                return await _storage.EndPurposeAsync(token.Value, view.Name, now, audit.NewEvent(AuditOperations.PurposeEnd, token, AuditOutcomes.Success, details, now), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Zero(dataKey);
            }
        });
    }

    public async Task<int> DeleteExpiredFieldsAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        if (!purposes.TracksFields)
        {
            return 0; // nothing declared: the persons due (those from before field retention) wait for a catalogue that declares fields
        }

        var deleted = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = audit.Now();
            var due = await _storage.GetFieldRetentionDueAsync(now, FieldRetentionBatch, cancellationToken).ConfigureAwait(false);
            foreach (var person in due)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    deleted += await DeleteExpiredFieldsAsync(person, lease.Keys, now, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not DatabunkerStorageException)
                {
                    // One person's failure (a profile that fails authentication) must not stop the others: looked at again later.
                    ProfileLog.FieldRetentionFailure(_logger, ex.GetType().Name);
                    await _storage.ScheduleFieldRetentionAsync(person, now + RetryAfter, onlyEarlier: true, CancellationToken.None).ConfigureAwait(false);
                }
            }

            if (due.Count < FieldRetentionBatch)
            {
                if (deleted > 0)
                {
                    // The profiles' old versions, which still held the deleted fields, leave the write-ahead log, as a
                    // forgotten person's pages do after the expiration pass; a busy log is compacted by a later pass.
                    await eraser.CompactAsync(cancellationToken).ConfigureAwait(false);
                }

                return deleted;
            }
        }
    }

    /// <summary>One person's look: deletes the fields no purpose holds any longer (or forgets the person whose last field goes) and sets the next look.</summary>
    private async Task<int> DeleteExpiredFieldsAsync(Guid person, SystemKeys keys, long now, CancellationToken cancellationToken)
    {
        // The look is taken before anything is read, and the next one is only ever moved earlier afterwards: an end or a
        // consent decision that lands while this look runs sets its own time, which this look's result cannot push back.
        await _storage.ScheduleFieldRetentionAsync(person, null, onlyEarlier: false, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            if (await _storage.GetPersonAsync(person, cancellationToken).ConfigureAwait(false) is not { } user)
            {
                return 0;
            }

            var states = await _storage.GetPurposeStatesAsync(person, cancellationToken).ConfigureAwait(false);
            var consentEnds = await purposes.ConsentEndsAsync(person, cancellationToken).ConfigureAwait(false);

            var dataKey = await directory.OpenDataKeyAsync(user, cancellationToken).ConfigureAwait(false);
            try
            {
                var plan = purposes.Plan(Open(dataKey, user, null), user.CreatedAt, states, consentEnds, now);
                var details = plan.Removed.Count == 0 ? null : AuditTrail.SealDetails(dataKey, person, AuditOperations.PersonMinimise, now, "removed", plan.Removed);
                if (plan.Removed.Count == 0)
                {
                    await _storage.ScheduleFieldRetentionAsync(person, plan.NextLook, onlyEarlier: true, cancellationToken).ConfigureAwait(false);
                    return 0;
                }

                if (plan.NothingLeft)
                {
                    // Only if nobody changed the profile since it was read (a new field would be forgotten with the rest).
                    if ((await _storage.GetPersonAsync(person, cancellationToken).ConfigureAwait(false))?.Version != user.Version)
                    {
                        if (attempt < MaxUpdateAttempts)
                        {
                            continue;
                        }

                        throw new DatabunkerException($"The person changed concurrently {MaxUpdateAttempts} times in a row; their fields are looked at again later.");
                    }

                    // The usual forget, by the scheduler; its event names the fields that went, as a deletion's would.
                    var forget = new AuditRecord(0, now, SchedulerActor, AuditOperations.PersonMinimise, person, AuditOutcomes.Success, details);
                    return await eraser.ForgetAsync(person, forget, null, cancellationToken, compactAfter: false).ConfigureAwait(false) ? plan.Removed.Count : 0;
                }

                var json = ProfileCodec.Serialize(plan.Remaining, _options.MaxProfileBytes, "profile");
                var change = new PersonChange(
                    person,
                    user.Version,
                    Envelope.Seal(dataKey, PersonDirectory.DataKeyId, json, AssociatedData.For(AssociatedData.Profile, person)),
                    directory.HashIndexes(plan.Remaining, keys, "profile"),
                    now,
                    new AuditRecord(0, now, SchedulerActor, AuditOperations.PersonMinimise, person, AuditOutcomes.Success, details));
                Array.Clear(json);
                switch (await _storage.UpdatePersonAsync(change, cancellationToken).ConfigureAwait(false))
                {
                    case UpdateOutcome.Updated:
                        await _storage.ScheduleFieldRetentionAsync(person, plan.NextLook, onlyEarlier: true, cancellationToken).ConfigureAwait(false);
                        ProfileLog.FieldsDeleted(_logger, plan.Removed.Count);
                        return plan.Removed.Count;
                    case UpdateOutcome.NotFound:
                        return 0;
                    case UpdateOutcome.VersionConflict when attempt < MaxUpdateAttempts:
                        continue;
                    default:
                        throw new DatabunkerException($"The person changed concurrently {MaxUpdateAttempts} times in a row; their fields are looked at again later.");
                }
            }
            finally
            {
                Zero(dataKey);
            }
        }
    }

    /// <summary>Records a read for a purpose whose fields' retention counts from their last use: once a day per person and purpose.</summary>
    private async Task RecordUseAsync(Guid person, string purpose, long now, CancellationToken cancellationToken)
    {
        var day = now / Day;
        if (!purposes.TracksUse(purpose) || (_uses.TryGetValue((person, purpose), out var recorded) && recorded == day))
        {
            return;
        }

        await _storage.RecordPurposeUseAsync(person, purpose, now, cancellationToken).ConfigureAwait(false);
        if (_uses.Count >= UsesRemembered)
        {
            _uses.Clear();
        }

        _uses[(person, purpose)] = day;
    }
}
