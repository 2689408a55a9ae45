namespace Databunker.Core.Sqlite;

/// <summary>The data keys role: paging and re-wrapping for key rotation.</summary>
internal sealed partial class SqliteVaultStorage : IDataKeyStore
{
    public Task<long> CountDataKeysNotUnderAsync(string keyVersion, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return connection.ScalarInt64("SELECT COUNT(*) FROM data_keys WHERE key_version <> @keyVersion;", null, ("@keyVersion", keyVersion)) ?? 0;
    }, cancellationToken);

    public Task<IReadOnlyList<StoredDataKey>> GetDataKeysNotUnderAsync(string keyVersion, Guid? after, int limit, CancellationToken cancellationToken) =>
        Run(() =>
        {
            using var connection = _connections.Open();
            return (IReadOnlyList<StoredDataKey>)connection.Query(
                "SELECT owner, key_version, wrapped FROM data_keys WHERE key_version <> @keyVersion AND owner > @after ORDER BY owner LIMIT @limit;",
                static r => new StoredDataKey(new Guid(r.Bytes(0)), new WrappedKey(r.GetString(1), r.Bytes(2))),
                null,
                ("@keyVersion", keyVersion), ("@after", after is { } a ? Id(a) : Array.Empty<byte>()), ("@limit", limit));
        }, cancellationToken);

    public Task<int> ReplaceDataKeysAsync(IReadOnlyList<DataKeyReplacement> replacements, CancellationToken cancellationToken) =>
        ReplaceEach(
            "UPDATE data_keys SET key_version = $version, wrapped = $wrapped WHERE owner = $owner AND wrapped = $previous;",
            replacements, (update, r) => Execute(update, r.Replacement.KeyVersion, r.Replacement.Ciphertext, Id(r.Person), r.Previous), cancellationToken);
}
