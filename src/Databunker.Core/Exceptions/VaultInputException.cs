namespace Databunker.Core;

/// <summary>
/// Thrown for input that the vault refuses: a profile that is not a JSON object or is too large, a
/// malformed email or phone, an unknown lookup, a malformed expiration time. Nothing is stored when it
/// is thrown. <see cref="ArgumentException.ParamName"/> names the argument and <see cref="Field"/> the
/// field; the message never repeats the value.
/// </summary>
public sealed class VaultInputException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, without the value.</param>
    /// <param name="paramName">The argument that carried the value.</param>
    /// <param name="field">The field within the argument, when there is one.</param>
    public VaultInputException(string message, string? paramName, string? field = null)
        : base(message, paramName)
    {
        Field = field;
    }

    /// <summary>The field that was refused (for example <c>email</c>), or <see langword="null"/>.</summary>
    public string? Field { get; }
}
