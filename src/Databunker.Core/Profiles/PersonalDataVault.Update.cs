using System.Text.Json;
using System.Text.Json.Nodes;

namespace Databunker.Core.Profiles;

internal sealed partial class PersonalDataVault
{
    public Task<bool> UpdatePersonAsync(PersonLookup lookup, JsonElement patch, CancellationToken cancellationToken = default)
    {
        // Checks that the patch is an object of valid text within the size limit before anything is read.
        ProfileCodec.Validate(patch, _options.MaxProfileBytes, nameof(patch));
        purposes.CheckCollection(patch, nameof(patch));

        return GuardCryptoAsync(AuditOperations.PersonUpdate, async () =>
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            for (var attempt = 1; ; attempt++)
            {
                var (user, match) = await directory.FindAsync(lookup, lease.Keys, cancellationToken).ConfigureAwait(false);
                if (user is null)
                {
                    await audit.AppendAsync(AuditOperations.PersonUpdate, null, AuditOutcomes.NotFound, cancellationToken).ConfigureAwait(false);
                    return false;
                }

                var outcome = await TryUpdateAsync(user, match, patch, lease.Keys, cancellationToken).ConfigureAwait(false);
                if (outcome != UpdateOutcome.VersionConflict)
                {
                    return outcome == UpdateOutcome.Updated;
                }

                if (attempt == MaxUpdateAttempts)
                {
                    throw new DatabunkerException($"The person changed concurrently {MaxUpdateAttempts} times in a row; the update was not applied.");
                }

                ProfileLog.UpdateRetry(_logger, attempt);
            }
        });
    }

    public async Task<bool> ForgetPersonAsync(PersonLookup lookup, CancellationToken cancellationToken = default)
    {
        // By token there is nothing to look up first: forgetting an unknown token writes nothing and says so.
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var token = lookup.Kind == LookupKind.Token
            ? lookup.Token
            : await directory.FindTokenAsync(lookup, lease.Keys, cancellationToken).ConfigureAwait(false);

        var forgotten = token is { } t && await eraser.ForgetAsync(t, audit.NewEvent(AuditOperations.PersonForget, t, AuditOutcomes.Success), null, cancellationToken).ConfigureAwait(false);
        if (!forgotten)
        {
            await audit.AppendAsync(AuditOperations.PersonForget, token, AuditOutcomes.NotFound, cancellationToken).ConfigureAwait(false);
        }

        return forgotten;
    }

    private async Task<UpdateOutcome> TryUpdateAsync(StoredPerson user, IndexMatch? match, JsonElement patch, SystemKeys keys, CancellationToken cancellationToken)
    {
        var dataKey = await directory.OpenDataKeyAsync(user, cancellationToken).ConfigureAwait(false);
        try
        {
            var context = AssociatedData.For(AssociatedData.Profile, user.Token);
            var plaintext = PersonDirectory.OpenProfile(dataKey, user);
            var stored = ProfileCodec.Deserialize(plaintext);
            Array.Clear(plaintext);
            if (match is { } found)
            {
                directory.VerifyIndex(stored, found);
            }

            // The patch applies to nodes over the profile read once (they materialise only where it changes them).
            var current = JsonObject.Create(stored);
            var patched = ProfileCodec.ToElement(JsonMergePatch.Apply(current, patch));
            var json = ProfileCodec.Serialize(patched, _options.MaxProfileBytes, nameof(patch));
            var indexes = directory.HashIndexes(patched, keys, nameof(patch));
            var now = audit.Now();
            var details = AuditTrail.SealDetails(dataKey, user.Token, AuditOperations.PersonUpdate, now, "changed", patch.EnumerateObject().Select(m => m.Name).Distinct(StringComparer.Ordinal));
            var change = new PersonChange(
                user.Token,
                user.Version,
                Envelope.Seal(dataKey, PersonDirectory.DataKeyId, json, context),
                indexes,
                now,
                audit.NewEvent(AuditOperations.PersonUpdate, user.Token, AuditOutcomes.Success, details, now),
                purposes.FirstLook(patched, user.CreatedAt));
            Array.Clear(json);
            try
            {
                return await _storage.UpdatePersonAsync(change, cancellationToken).ConfigureAwait(false);
            }
            catch (DuplicateIndexException ex)
            {
                Log.DuplicateRefused(_logger, ex.IndexName);
                await audit.AppendAsync(AuditOperations.PersonUpdate, user.Token, AuditOutcomes.Duplicate, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            Zero(dataKey);
        }
    }
}
