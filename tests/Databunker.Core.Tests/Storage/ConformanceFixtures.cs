using Databunker.Core.Testing;
using Databunker.Core.Tests.Support;

namespace Databunker.Core.Tests.Storage;

// The conformance kit (Databunker.Core.Testing) against every built-in store: one fixture per storage role, each run
// on a SQLite file, SQLite :memory: and a storage of the tests' own built on the public SPI (CountingStorage);
// Databunker.Core.PostgreSql.Tests runs them on PostgreSQL. A third-party provider derives the same classes.

[TestFixture(ConformanceStore.SqliteFile, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.SqliteMemory, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.Counting, Category = TestStore.SqliteName)]
public sealed class VaultStoreConformance(string store) : VaultStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => ConformanceStore.Use(builder, store);
}

[TestFixture(ConformanceStore.SqliteFile, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.SqliteMemory, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.Counting, Category = TestStore.SqliteName)]
public sealed class SystemKeyStoreConformance(string store) : SystemKeyStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => ConformanceStore.Use(builder, store);
}

[TestFixture(ConformanceStore.SqliteFile, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.SqliteMemory, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.Counting, Category = TestStore.SqliteName)]
public sealed class PersonStoreConformance(string store) : PersonStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => ConformanceStore.Use(builder, store);
}

[TestFixture(ConformanceStore.SqliteFile, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.SqliteMemory, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.Counting, Category = TestStore.SqliteName)]
public sealed class AuditStoreConformance(string store) : AuditStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => ConformanceStore.Use(builder, store);
}

[TestFixture(ConformanceStore.SqliteFile, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.SqliteMemory, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.Counting, Category = TestStore.SqliteName)]
public sealed class DataKeyStoreConformance(string store) : DataKeyStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => ConformanceStore.Use(builder, store);
}

[TestFixture(ConformanceStore.SqliteFile, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.SqliteMemory, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.Counting, Category = TestStore.SqliteName)]
public sealed class TokenStoreConformance(string store) : TokenStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => ConformanceStore.Use(builder, store);
}

[TestFixture(ConformanceStore.SqliteFile, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.SqliteMemory, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.Counting, Category = TestStore.SqliteName)]
public sealed class ExpirationStoreConformance(string store) : ExpirationStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => ConformanceStore.Use(builder, store);
}

[TestFixture(ConformanceStore.SqliteFile, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.SqliteMemory, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.Counting, Category = TestStore.SqliteName)]
public sealed class AppDocumentStoreConformance(string store) : AppDocumentStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => ConformanceStore.Use(builder, store);
}

[TestFixture(ConformanceStore.SqliteFile, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.SqliteMemory, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.Counting, Category = TestStore.SqliteName)]
public sealed class SessionStoreConformance(string store) : SessionStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => ConformanceStore.Use(builder, store);
}

[TestFixture(ConformanceStore.SqliteFile, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.SqliteMemory, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.Counting, Category = TestStore.SqliteName)]
public sealed class ShareLinkStoreConformance(string store) : ShareLinkStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => ConformanceStore.Use(builder, store);
}

[TestFixture(ConformanceStore.SqliteFile, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.SqliteMemory, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.Counting, Category = TestStore.SqliteName)]
public sealed class PrivacyCatalogStoreConformance(string store) : PrivacyCatalogStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => ConformanceStore.Use(builder, store);
}

[TestFixture(ConformanceStore.SqliteFile, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.SqliteMemory, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.Counting, Category = TestStore.SqliteName)]
public sealed class ConsentStoreConformance(string store) : ConsentStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => ConformanceStore.Use(builder, store);
}

[TestFixture(ConformanceStore.SqliteFile, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.SqliteMemory, Category = TestStore.SqliteName)]
[TestFixture(ConformanceStore.Counting, Category = TestStore.SqliteName)]
public sealed class PrivacyRequestStoreConformance(string store) : PrivacyRequestStoreConformanceTests
{
    protected override void UseStorage(IDatabunkerBuilder builder) => ConformanceStore.Use(builder, store);
}
