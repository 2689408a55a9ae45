using Databunker.Core.Internal.Crypto;
using Databunker.Core.Storage;

namespace Databunker.Core.Internal.Vault;

internal sealed partial class PersonalDataVault
{
    public Task<UserRecord?> GetUserAsync(UserLookup lookup, CancellationToken cancellationToken = default) =>
        GuardCryptoAsync(AuditOperations.UserGet, async () =>
        {
            using var lease = await _keys.AcquireAsync(cancellationToken).ConfigureAwait(false);
            var (user, hash) = await FindUserAsync(lookup, lease.Keys, cancellationToken).ConfigureAwait(false);
            if (_options.AuditReads)
            {
                var audit = NewAudit(AuditOperations.UserGet, user?.Token, user is null ? AuditOutcomes.NotFound : AuditOutcomes.Success);
                await _storage.AppendAuditAsync(audit, cancellationToken).ConfigureAwait(false);
            }

            if (user is null)
            {
                return null;
            }

            var dataKey = await _keys.OpenDataKeyAsync(user.Token, user.DataKey, cancellationToken).ConfigureAwait(false);
            try
            {
                var json = OpenProfile(dataKey, user);
                var profile = ProfileCodec.Deserialize(json);
                if (hash is not null)
                {
                    VerifyIndex(profile, hash, lease.Keys);
                }

                return new UserRecord(
                    user.Token,
                    profile,
                    DateTimeOffset.FromUnixTimeMilliseconds(user.CreatedAt),
                    DateTimeOffset.FromUnixTimeMilliseconds(user.UpdatedAt));
            }
            finally
            {
                Zero(dataKey);
            }
        });

    public Task<IReadOnlyList<AuditEvent>> GetAuditEventsAsync(Guid token, CancellationToken cancellationToken = default) =>
        GuardCryptoAsync("audit.read", async () =>
        {
            using var lease = await _keys.AcquireAsync(cancellationToken).ConfigureAwait(false);
            var records = await _storage.GetAuditAsync(token, cancellationToken).ConfigureAwait(false);
            var user = records.Any(r => r.Details is not null)
                ? await _storage.GetUserAsync(token, cancellationToken).ConfigureAwait(false)
                : null;
            var dataKey = user is null ? null : await _keys.OpenDataKeyAsync(token, user.DataKey, cancellationToken).ConfigureAwait(false);
            try
            {
                var legacy = AssociatedData.For(AssociatedData.AuditDetails, token);
                return (IReadOnlyList<AuditEvent>)records.Select(r => new AuditEvent(
                        r.Id,
                        DateTimeOffset.FromUnixTimeMilliseconds(r.At),
                        r.Actor,
                        r.Operation,
                        r.Subject,
                        r.Outcome,
                        r.Details is null || dataKey is null ? null : System.Text.Encoding.UTF8.GetString(Envelope.Open(
                            dataKey,
                            r.Details,
                            Envelope.ReadKeyId(r.Details) == DetailsKeyId ? AssociatedData.ForAuditDetails(token, r.Operation, r.At) : legacy,
                            "audit detail")),
                        r.Details is not null && dataKey is null))
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

    /// <summary>The stored person a lookup names, and the index hash it was found by (none by token).</summary>
    private async Task<(StoredUser? User, byte[]? Hash)> FindUserAsync(UserLookup lookup, SystemKeys keys, CancellationToken cancellationToken)
    {
        if (lookup.Kind == LookupKind.Token)
        {
            return (await _storage.GetUserAsync(lookup.Token, cancellationToken).ConfigureAwait(false), null);
        }

        var (current, previous) = HashLookup(lookup, keys);
        var user = await _storage.GetUserByIndexAsync(current, cancellationToken).ConfigureAwait(false);
        if (user is null && previous is not null)
        {
            user = await _storage.GetUserByIndexAsync(previous, cancellationToken).ConfigureAwait(false);
            return (user, previous);
        }

        return (user, current);
    }
}
