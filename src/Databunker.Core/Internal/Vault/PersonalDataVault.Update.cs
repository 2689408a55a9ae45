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
            for (var attempt = 1; ; attempt++)
            {
                var user = await FindUserAsync(lookup, cancellationToken).ConfigureAwait(false);
                if (user is null)
                {
                    await _storage.AppendAuditAsync(NewAudit(AuditOperations.UserUpdate, null, AuditOutcomes.NotFound), cancellationToken).ConfigureAwait(false);
                    return false;
                }

                var outcome = await TryUpdateAsync(user, patch, cancellationToken).ConfigureAwait(false);
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
        Guid? token;
        if (lookup.Kind == LookupKind.Token)
        {
            await _keys.GetSystemKeysAsync(cancellationToken).ConfigureAwait(false);
            token = lookup.Token;
        }
        else
        {
            token = await FindTokenAsync(lookup, cancellationToken).ConfigureAwait(false);
        }

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
        }

        return forgotten;
    }

    private async Task<UpdateOutcome> TryUpdateAsync(StoredUser user, JsonElement patch, CancellationToken cancellationToken)
    {
        var dataKey = await _keys.OpenDataKeyAsync(user.Token, user.DataKey, cancellationToken).ConfigureAwait(false);
        try
        {
            var context = AssociatedData.For(AssociatedData.Profile, user.Token);
            var current = JsonNode.Parse(Envelope.Open(dataKey, user.Profile, context, "profile"));
            var patched = JsonSerializer.SerializeToElement(JsonMergePatch.Apply(current, patch));
            var json = ProfileCodec.Serialize(patched, _options.MaxProfileBytes, nameof(patch));
            var indexes = await HashIndexesAsync(patched, nameof(patch), cancellationToken).ConfigureAwait(false);
            var details = SealDetails(dataKey, user.Token, "changed", patch.EnumerateObject().Select(m => m.Name).Distinct(StringComparer.Ordinal));
            var change = new UserChange(
                user.Token,
                user.Version,
                Envelope.Seal(dataKey, DataKeyId, json, context),
                indexes,
                Now(),
                NewAudit(AuditOperations.UserUpdate, user.Token, AuditOutcomes.Success, details));
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
