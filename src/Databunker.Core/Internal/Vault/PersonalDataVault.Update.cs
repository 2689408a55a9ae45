using System.Text.Json;
using System.Text.Json.Nodes;
using Databunker.Core.Internal.Crypto;
using Databunker.Core.Storage;

namespace Databunker.Core.Internal.Vault;

internal sealed partial class PersonalDataVault
{
    public Task<bool> UpdateUserAsync(UserLookup lookup, JsonElement patch, CancellationToken cancellationToken = default)
    {
        // Checks that the patch is an object of valid text within the size limit before anything is read.
        Array.Clear(ProfileCodec.Serialize(patch, _options.MaxProfileBytes, nameof(patch)));

        return GuardCryptoAsync(AuditOperations.UserUpdate, async () =>
        {
            using var lease = await _keys.AcquireAsync(cancellationToken).ConfigureAwait(false);
            for (var attempt = 1; ; attempt++)
            {
                var (user, hash) = await FindUserAsync(lookup, lease.Keys, cancellationToken).ConfigureAwait(false);
                if (user is null)
                {
                    await _storage.AppendAuditAsync(NewAudit(AuditOperations.UserUpdate, null, AuditOutcomes.NotFound), cancellationToken).ConfigureAwait(false);
                    return false;
                }

                var outcome = await TryUpdateAsync(user, hash, patch, lease.Keys, cancellationToken).ConfigureAwait(false);
                if (outcome != UpdateOutcome.VersionConflict)
                {
                    return outcome == UpdateOutcome.Updated;
                }

                if (attempt == MaxUpdateAttempts)
                {
                    throw new DatabunkerException($"The person changed concurrently {MaxUpdateAttempts} times in a row; the update was not applied.");
                }

                Log.UpdateRetry(_logger, attempt);
            }
        });
    }

    public async Task<bool> DeleteUserAsync(UserLookup lookup, CancellationToken cancellationToken = default)
    {
        // By token there is nothing to look up first: forgetting an unknown token writes nothing and says so.
        using var lease = await _keys.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var token = lookup.Kind == LookupKind.Token
            ? lookup.Token
            : await FindTokenAsync(lookup, lease.Keys, cancellationToken).ConfigureAwait(false);

        var forgotten = token is { } t && await ForgetAsync(t, AuditOperations.UserDelete, cancellationToken).ConfigureAwait(false);
        if (!forgotten)
        {
            await _storage.AppendAuditAsync(NewAudit(AuditOperations.UserDelete, token, AuditOutcomes.NotFound), cancellationToken).ConfigureAwait(false);
        }

        return forgotten;
    }

    /// <summary>Crypto-shreds one person in one transaction with its audit event.</summary>
    internal async Task<bool> ForgetAsync(Guid token, string operation, CancellationToken cancellationToken)
    {
        var forgotten = await _storage.ForgetUserAsync(token, Now(), NewAudit(operation, token, AuditOutcomes.Success), cancellationToken).ConfigureAwait(false);
        if (forgotten)
        {
            Log.UserForgotten(_logger, operation);
            await CompactAfterForgetAsync(cancellationToken).ConfigureAwait(false);
        }

        return forgotten;
    }

    /// <summary>Compacts right after a forget when <see cref="DatabunkerOptions.CompactAfterForget"/> asks for it.</summary>
    internal async Task CompactAfterForgetAsync(CancellationToken cancellationToken)
    {
        if (_options.CompactAfterForget)
        {
            await CompactAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Compacts the storage; a compaction that readers kept from finishing is logged as a warning (the
    /// forgotten persons' old pages stay in the log until a later one succeeds), never passed over in silence.
    /// </summary>
    internal async Task<bool> CompactAsync(CancellationToken cancellationToken)
    {
        var done = await _storage.CompactAsync(cancellationToken).ConfigureAwait(false);
        if (!done)
        {
            Log.CompactionIncomplete(_logger, 1);
        }

        return done;
    }

    private async Task<UpdateOutcome> TryUpdateAsync(StoredUser user, byte[]? lookupHash, JsonElement patch, SystemKeys keys, CancellationToken cancellationToken)
    {
        var dataKey = await _keys.OpenDataKeyAsync(user.Token, user.DataKey, cancellationToken).ConfigureAwait(false);
        try
        {
            var context = AssociatedData.For(AssociatedData.Profile, user.Token);
            var plaintext = OpenProfile(dataKey, user);
            if (lookupHash is not null)
            {
                VerifyIndex(ProfileCodec.Deserialize(plaintext), lookupHash, keys);
            }

            var current = JsonNode.Parse(plaintext, documentOptions: ProfileCodec.ReadOptions);
            var patched = JsonSerializer.SerializeToElement(JsonMergePatch.Apply(current, patch));
            var json = ProfileCodec.Serialize(patched, _options.MaxProfileBytes, nameof(patch));
            var indexes = HashIndexes(patched, keys, nameof(patch));
            var now = Now();
            var details = SealDetails(dataKey, user.Token, AuditOperations.UserUpdate, now, "changed", patch.EnumerateObject().Select(m => m.Name).Distinct(StringComparer.Ordinal));
            var change = new UserChange(
                user.Token,
                user.Version,
                Envelope.Seal(dataKey, DataKeyId, json, context),
                indexes,
                now,
                NewAudit(AuditOperations.UserUpdate, user.Token, AuditOutcomes.Success, details, now));
            Array.Clear(json);
            try
            {
                return await _storage.UpdateUserAsync(change, cancellationToken).ConfigureAwait(false);
            }
            catch (DuplicateIndexException ex)
            {
                Log.DuplicateRefused(_logger, ex.IndexName);
                await _storage.AppendAuditAsync(NewAudit(AuditOperations.UserUpdate, user.Token, AuditOutcomes.Duplicate), CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            Zero(dataKey);
        }
    }
}
