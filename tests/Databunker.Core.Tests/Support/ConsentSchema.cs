namespace Databunker.Core.Tests.Support;

/// <summary>
/// The consent ledger's schema as a database writer (or an older version) leaves it. The later versions' changes that
/// cannot run twice (the tokens' scope column of version 19) are undone too, as that older version had none of them.
/// </summary>
public static class ConsentSchema
{
    /// <summary>Makes the schema look as it was before the consent chain (SQLite 16, PostgreSQL 15), the decisions kept.</summary>
    public static void Downgrade(TestStore store, string database)
    {
        var version = store.Name == TestStore.SqliteName ? 16 : 15;
        store.Sql(database, $"""
            DROP TABLE IF EXISTS consent_heads;
            DROP TABLE consent_chain;
            DROP INDEX ux_consent_events_seq;
            DROP INDEX ix_consent_events_latest;
            ALTER TABLE consent_events DROP COLUMN seq;
            ALTER TABLE consent_events DROP COLUMN link;
            ALTER TABLE pending_consents DROP COLUMN link;
            CREATE INDEX ix_consent_events_owner ON consent_events (owner, activity, id);
            ALTER TABLE tokens DROP COLUMN scope;
            DELETE FROM schema_version WHERE version >= {version};
            """);
    }

    /// <summary>Makes the schema look as it was before the consent ledgers' heads (SQLite 17, PostgreSQL 16): the chain kept, no head.</summary>
    public static void DowngradeHeads(TestStore store, string database)
    {
        var version = store.Name == TestStore.SqliteName ? 17 : 16;
        store.Sql(database, $"""
            DROP TABLE consent_heads;
            ALTER TABLE tokens DROP COLUMN scope;
            DELETE FROM schema_version WHERE version >= {version};
            """);
    }
}
