using Databunker.Core.Testing;
using Databunker.Core.Tests.Support;

namespace Databunker.Core.Tests.PostgreSql;

// The conformance kit (Databunker.Core.Testing) on PostgreSQL: one fixture per storage role, each on a schema of
// its own, plugged in with UsePostgreSql as a host plugs it in.

[Category(TestStore.PostgreSqlName)]
public sealed class PostgreSqlVaultStoreConformance : VaultStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => TestStore.PostgreSql.Use(builder, TestStore.PostgreSql.NewDatabase());
}

[Category(TestStore.PostgreSqlName)]
public sealed class PostgreSqlSystemKeyStoreConformance : SystemKeyStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => TestStore.PostgreSql.Use(builder, TestStore.PostgreSql.NewDatabase());
}

[Category(TestStore.PostgreSqlName)]
public sealed class PostgreSqlPersonStoreConformance : PersonStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => TestStore.PostgreSql.Use(builder, TestStore.PostgreSql.NewDatabase());
}

[Category(TestStore.PostgreSqlName)]
public sealed class PostgreSqlAuditStoreConformance : AuditStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => TestStore.PostgreSql.Use(builder, TestStore.PostgreSql.NewDatabase());
}

[Category(TestStore.PostgreSqlName)]
public sealed class PostgreSqlDataKeyStoreConformance : DataKeyStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => TestStore.PostgreSql.Use(builder, TestStore.PostgreSql.NewDatabase());
}

[Category(TestStore.PostgreSqlName)]
public sealed class PostgreSqlTokenStoreConformance : TokenStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => TestStore.PostgreSql.Use(builder, TestStore.PostgreSql.NewDatabase());
}

[Category(TestStore.PostgreSqlName)]
public sealed class PostgreSqlExpirationStoreConformance : ExpirationStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => TestStore.PostgreSql.Use(builder, TestStore.PostgreSql.NewDatabase());
}

[Category(TestStore.PostgreSqlName)]
public sealed class PostgreSqlAppDocumentStoreConformance : AppDocumentStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => TestStore.PostgreSql.Use(builder, TestStore.PostgreSql.NewDatabase());
}

[Category(TestStore.PostgreSqlName)]
public sealed class PostgreSqlSessionStoreConformance : SessionStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => TestStore.PostgreSql.Use(builder, TestStore.PostgreSql.NewDatabase());
}

[Category(TestStore.PostgreSqlName)]
public sealed class PostgreSqlShareLinkStoreConformance : ShareLinkStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => TestStore.PostgreSql.Use(builder, TestStore.PostgreSql.NewDatabase());
}

[Category(TestStore.PostgreSqlName)]
public sealed class PostgreSqlPrivacyCatalogStoreConformance : PrivacyCatalogStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => TestStore.PostgreSql.Use(builder, TestStore.PostgreSql.NewDatabase());
}

[Category(TestStore.PostgreSqlName)]
public sealed class PostgreSqlConsentStoreConformance : ConsentStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => TestStore.PostgreSql.Use(builder, TestStore.PostgreSql.NewDatabase());
}

[Category(TestStore.PostgreSqlName)]
public sealed class PostgreSqlPrivacyRequestStoreConformance : PrivacyRequestStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => TestStore.PostgreSql.Use(builder, TestStore.PostgreSql.NewDatabase());
}
