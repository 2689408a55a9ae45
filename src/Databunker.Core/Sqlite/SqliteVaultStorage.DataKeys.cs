using Dapper;

namespace Databunker.Core.Sqlite;

/// <summary>The data keys role: paging and re-wrapping for key rotation.</summary>
internal sealed partial class SqliteVaultStorage : IDataKeyStore
{
    public Task<long> CountDataKeysNotUnderAsync(string keyVersion, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM data_keys WHERE key_version <> @keyVersion;", new { keyVersion });
    }, cancellationToken);

    public Task<IReadOnlyList<StoredDataKey>> GetDataKeysNotUnderAsync(string keyVersion, Guid? after, int limit, CancellationToken cancellationToken) =>
        Run(() =>
        {
            using var connection = _connections.Open();
            return (IReadOnlyList<StoredDataKey>)connection.Query<DataKeyRow>(
                    "SELECT owner AS Owner, key_version AS KeyVersion, wrapped AS Wrapped FROM data_keys " +
                    "WHERE key_version <> @keyVersion AND owner > @after ORDER BY owner LIMIT @limit;",
                    new { keyVersion, after = after is { } a ? Id(a) : Array.Empty<byte>(), limit })
                .Select(r => new StoredDataKey(new Guid(r.Owner), new WrappedKey(r.KeyVersion, r.Wrapped)))
                .ToList();
        }, cancellationToken);

    public Task<int> ReplaceDataKeysAsync(IReadOnlyList<DataKeyReplacement> replacements, CancellationToken cancellationToken) =>
        ReplaceEach(
            "UPDATE data_keys SET key_version = $version, wrapped = $wrapped WHERE owner = $owner AND wrapped = $previous;",
            replacements, (update, r) => Execute(update, r.Replacement.KeyVersion, r.Replacement.Ciphertext, Id(r.Owner), r.Previous), cancellationToken);

    private sealed class DataKeyRow
    {
        public byte[] Owner { get; set; } = [];

        public string KeyVersion { get; set; } = string.Empty;

        public byte[] Wrapped { get; set; } = [];
    }
}
