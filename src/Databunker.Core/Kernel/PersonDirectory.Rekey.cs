namespace Databunker.Core.Kernel;

internal sealed partial class PersonDirectory
{
    /// <summary>
    /// One pass of a blind-index re-key: every person with an index entry under an older key version has
    /// their profile opened and their whole index set written again under <paramref name="keys"/>' current
    /// version, in batches, each person only if unchanged since it was read. Returns how many were re-keyed.
    /// </summary>
    internal async Task<long> RekeyIndexesAsync(SystemKeys keys, int batchSize, Action<long>? progress, CancellationToken cancellationToken)
    {
        long rekeyed = 0;
        Guid? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var users = await store.GetPersonsWithIndexesBelowAsync(keys.BlindIndexVersion, after, batchSize, cancellationToken).ConfigureAwait(false);
            if (users.Count == 0)
            {
                return rekeyed;
            }

            foreach (var user in users)
            {
                var dataKey = await OpenDataKeyAsync(user, cancellationToken).ConfigureAwait(false);
                try
                {
                    var profile = ProfileCodec.Deserialize(OpenProfile(dataKey, user));
                    var indexes = HashIndexes(profile, keys, nameof(profile), currentOnly: true);
                    if (await store.ReplaceIndexesAsync(user.Token, user.Version, indexes, cancellationToken).ConfigureAwait(false))
                    {
                        rekeyed++;
                    }
                }
                catch (DuplicateIndexException ex)
                {
                    // Two persons whose values now normalise alike (the rules changed since they were stored): this
                    // one keeps its old entries and is counted as remaining; the pass goes on with the others.
                    Log.DuplicateRefused(_logger, ex.IndexName);
                }
                finally
                {
                    System.Security.Cryptography.CryptographicOperations.ZeroMemory(dataKey);
                }
            }

            after = users[^1].Token;
            progress?.Invoke(rekeyed);
        }
    }
}
