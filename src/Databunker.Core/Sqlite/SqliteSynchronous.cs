namespace Databunker.Core.Sqlite;

/// <summary>SQLite's <c>synchronous</c> setting, in WAL mode.</summary>
public enum SqliteSynchronous
{
    /// <summary>Sync at checkpoints: fast, durable across an application crash.</summary>
    Normal = 1,

    /// <summary>Sync at every commit: durable across a power cut.</summary>
    Full = 2,
}
