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
                    "SELECT owner, key_version, wrapped FROM data_keys WHERE key_version <> @keyVersion AND owner > @after ORDER BY owner LIMIT @limit;",
                    new { keyVersion, after = after is { } a ? Id(a) : [], limit })
                .Select(r => r.ToStored()).ToList();
        }, cancellationToken);

    public Task<int> ReplaceDataKeysAsync(IReadOnlyList<DataKeyReplacement> replacements, CancellationToken cancellationToken) =>
        Write((connection, _) => replacements.Sum(r => connection.Execute(
            "UPDATE data_keys SET key_version = @KeyVersion, wrapped = @Ciphertext WHERE owner = @owner AND wrapped = @Previous;",
            new { r.Replacement.KeyVersion, r.Replacement.Ciphertext, owner = Id(r.Person), r.Previous })), cancellationToken);
}
