using System.Text;

namespace Databunker.Core.Internal;

/// <summary>
/// Normalises index values before they are hashed, so that equal values written differently find the
/// same person. Every refusal is a <see cref="VaultInputException"/> that names the field, not the value.
/// <list type="bullet">
/// <item>email: trimmed, Unicode NFC, lower-cased; one <c>@</c>, a local part of 1 to 64 characters, a
/// dotted domain; no spaces, control characters or <c>&lt;&gt;()[]\,;:"</c>; at most 254 characters.</item>
/// <item>phone: spaces, dashes, dots, slashes and parentheses dropped; <c>+</c> or <c>00</c> starts the
/// country code, otherwise the configured default country code is put first (after dropping one trunk
/// <c>0</c>); the result is <c>+</c> and 7 to 15 digits, not starting with 0 (E.164).</item>
/// <item>login and custom: trimmed, Unicode NFC, 1 to 1024 characters.</item>
/// </list>
/// </summary>
internal static class IndexNormalizer
{
    private const string EmailForbidden = "<>()[]\\,;:\"";

    public static string Normalize(LookupKind kind, string value, string? defaultCountryCode, string paramName) => kind switch
    {
        LookupKind.Email => Email(value, paramName),
        LookupKind.Phone => Phone(value, defaultCountryCode, paramName),
        LookupKind.Login or LookupKind.Custom => Text(value, kind, paramName),
        _ => throw new VaultInputException("Unknown lookup: use UserLookup.ByToken, ByLogin, ByEmail, ByPhone or ByCustom.", paramName),
    };

    public static string Email(string value, string paramName)
    {
        var email = Nfc(value.Trim(), paramName, "email").ToLowerInvariant();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        var valid = email.Length is >= 3 and <= 254
            && at is > 0 and <= 64
            && email.IndexOf('@', at + 1) < 0
            && ValidDomain(email.AsSpan(at + 1))
            && !email.StartsWith('.') && !email.AsSpan(0, at).EndsWith(".", StringComparison.Ordinal)
            && !email.Contains("..", StringComparison.Ordinal)
            && !email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || EmailForbidden.Contains(c, StringComparison.Ordinal));
        return valid ? email : throw new VaultInputException("The email address is malformed.", paramName, "email");
    }

    public static string Phone(string value, string? defaultCountryCode, string paramName)
    {
        var digits = new StringBuilder(value.Length);
        var international = false;
        var text = value.Trim();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '+' && i == 0)
            {
                international = true;
            }
            else if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')' or '/'))
            {
                throw new VaultInputException("The phone number may hold only digits, a leading +, spaces, dashes, dots, slashes and parentheses.", paramName, "phone");
            }
        }

        var number = digits.ToString();
        if (!international && number.StartsWith("00", StringComparison.Ordinal))
        {
            number = number[2..];
        }
        else if (!international)
        {
            if (defaultCountryCode is null)
            {
                throw new VaultInputException("The phone number has no country code (+ or 00) and no default country code is configured.", paramName, "phone");
            }

            number = defaultCountryCode + (number.StartsWith('0') ? number[1..] : number);
        }

        return number.Length is >= 7 and <= 15 && number[0] != '0'
            ? "+" + number
            : throw new VaultInputException("The phone number is not a valid international (E.164) number of 7 to 15 digits.", paramName, "phone");
    }

    private static string Text(string value, LookupKind kind, string paramName)
    {
        var field = kind.ToString().ToLowerInvariant();
        var text = Nfc(value.Trim(), paramName, field);
        return text.Length is >= 1 and <= 1024
            ? text
            : throw new VaultInputException($"The {field} value must be 1 to 1024 characters after trimming.", paramName, field);
    }

    private static string Nfc(string value, string paramName, string field)
    {
        try
        {
            return value.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            throw new VaultInputException($"The {field} value is not valid Unicode text.", paramName, field);
        }
    }

    private static bool ValidDomain(ReadOnlySpan<char> domain)
    {
        if (domain.Length is < 3 or > 253 || domain[0] is '.' or '-' || domain[^1] is '.' or '-')
        {
            return false;
        }

        var dot = domain.LastIndexOf('.');
        return dot > 0 && domain.Length - dot - 1 >= 2;
    }
}
