using Microsoft.Extensions.Options;

namespace Databunker.Core.PostgreSql;

/// <summary>
/// Validates <see cref="PostgreSqlStorageOptions"/> from their attributes when they are first read, and at start in a
/// host; the body is generated.
/// </summary>
[OptionsValidator]
internal sealed partial class PostgreSqlStorageOptionsValidator : IValidateOptions<PostgreSqlStorageOptions>;
