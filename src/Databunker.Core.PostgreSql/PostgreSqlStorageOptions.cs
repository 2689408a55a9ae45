using System.ComponentModel.DataAnnotations;

namespace Databunker.Core.PostgreSql;

/// <summary>How the PostgreSQL storage reaches its database.</summary>
public sealed class PostgreSqlStorageOptions
{
    /// <summary>
    /// The Npgsql connection string, for example
    /// <c>Host=db.internal;Database=app;Username=vault;Password=...;Search Path=vault</c>. The vault's tables
    /// live in the first schema of the search path, which must exist; several vaults can share a database
    /// in schemas of their own.
    /// </summary>
    [Required]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// How many distinct statements each connection prepares on the server after their fifth use
    /// (Npgsql's <c>Max Auto Prepare</c>), unless the connection string sets it. Default 64; 0 turns it off,
    /// which a connection pooler in transaction mode may need.
    /// </summary>
    [Range(0, 8192)]
    public int MaxAutoPrepare { get; set; } = 64;
}
