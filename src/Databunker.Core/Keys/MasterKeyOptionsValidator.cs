namespace Databunker.Core.Keys;

/// <summary>
/// Validates <see cref="MasterKeyOptions"/> (the current version is positive and has a key, every version is positive)
/// when they are first read, and at start in a host; the body is generated.
/// </summary>
[OptionsValidator]
internal sealed partial class MasterKeyOptionsValidator : IValidateOptions<MasterKeyOptions>;
