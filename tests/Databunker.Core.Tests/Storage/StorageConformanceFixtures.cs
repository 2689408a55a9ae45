using Databunker.Core.Sqlite;
using Databunker.Core.Storage;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.Options;

namespace Databunker.Core.Tests.Storage;

[TestFixture]
public sealed class SqliteFileStorageConformanceTests : VaultStorageConformanceTests
{
    protected override IVaultStorage CreateStorage()
    {
        var path = VaultHost.NewDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new SqliteVaultStorage(Options.Create(new SqliteStorageOptions { ConnectionString = $"Data Source={path}" }), TimeProvider.System, auditChain: TestAuditChain.Shared);
    }
}

[TestFixture]
public sealed class SqliteMemoryStorageConformanceTests : VaultStorageConformanceTests
{
    protected override IVaultStorage CreateStorage() =>
        new SqliteVaultStorage(Options.Create(new SqliteStorageOptions { ConnectionString = "Data Source=:memory:" }), TimeProvider.System, auditChain: TestAuditChain.Shared);
}

[TestFixture]
public sealed class PostgreSqlStorageConformanceTests : VaultStorageConformanceTests
{
    protected override IVaultStorage CreateStorage() =>
        TestStore.PostgreSql.CreateStorage(TestStore.PostgreSql.NewDatabase(), TimeProvider.System);
}
