namespace Databunker.Core.Sqlite;

/// <summary>
/// Validates <see cref="SqliteStorageOptions"/> from their attributes when they are first read, and at start in a host;
/// the body is generated.
/// </summary>
[OptionsValidator]
internal sealed partial class SqliteStorageOptionsValidator : IValidateOptions<SqliteStorageOptions>;
