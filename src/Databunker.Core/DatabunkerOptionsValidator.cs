namespace Databunker.Core;

/// <summary>
/// Validates <see cref="DatabunkerOptions"/> from its attributes (<c>[Range]</c>, <c>[Required]</c>,
/// <c>[ValidateObjectMembers]</c>, and <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> on
/// the expiration options); the body is generated. Every failure is reported at once.
/// </summary>
[OptionsValidator]
internal sealed partial class DatabunkerOptionsValidator : IValidateOptions<DatabunkerOptions>;
