using System.Globalization;
using System.Text;

namespace Databunker.Core.Kernel;

/// <summary>
/// Normalises index values before they are hashed, so that equal values written differently find the
/// same person. Every refusal is a <see cref="VaultInputException"/> that names the field, not the value.
/// <list type="bullet">
/// <item>email: trimmed, Unicode NFC, lower-cased; one <c>@</c>, a local part of 1 to 64 characters, a
/// dotted domain mapped to its ASCII form by UTS #46 (<c>bücher.de</c> and <c>xn--bcher-kva.de</c> are
/// one domain); no spaces, control, format or default-ignorable characters (zero-width, bidi controls, Hangul
/// fillers, variation selectors; see <see cref="DefaultIgnorable"/>) or
/// <c>&lt;&gt;()[]\,;:"</c>; at most 254 characters.</item>
/// <item>phone: must start with <c>+</c>, <c>(</c> or a digit; spaces, dashes, dots, slashes and
/// parentheses dropped; <c>+</c> or <c>00</c> starts the country code, and a trunk prefix written
/// <c>(0)</c> after it is dropped; otherwise the configured default country code is put first (after
/// dropping one trunk <c>0</c>); the result is <c>+</c> and 7 to 15 digits, not starting with 0 (E.164).</item>
/// <item>login: trimmed, Unicode NFC, 1 to 1024 characters, no control, format or default-ignorable characters.</item>
/// <item>custom: trimmed, Unicode NFC, 1 to 1024 characters.</item>
/// </list>
/// Every value must be valid UTF-16 (no lone surrogate). Look-alike characters of other scripts (a
/// Cyrillic <c>а</c> for a Latin <c>a</c>) are not folded: they are different values, as they are to a mail
/// server; see docs/security.md.
/// </summary>
internal static class IndexNormalizer
{
    private const string EmailForbidden = "<>()[]\\,;:\"";

    public static string Normalize(LookupKind kind, string value, string? defaultCountryCode, string paramName) => kind switch
    {
        LookupKind.Email => Email(value, paramName),
        LookupKind.Phone => Phone(value, defaultCountryCode, paramName),
        LookupKind.Login or LookupKind.Custom => Text(value, kind, paramName),
        _ => throw new VaultInputException("Unknown lookup: use PersonLookup.ByToken, ByLogin, ByEmail, ByPhone or ByCustom.", paramName),
    };

    /// <summary>
    /// Whether this process can normalise: in globalization-invariant mode (Alpine and chiseled images by
    /// default) Unicode normalisation and IDN mapping are missing or partial, and one person could become two.
    /// </summary>
    public static bool IsSupported { get; } = Probe();

    /// <summary>Refuses to open a vault in a process that cannot normalise index values.</summary>
    public static void EnsureSupported()
    {
        if (!IsSupported)
        {
            throw new VaultConfigurationException(
                "This process runs in globalization-invariant mode (DOTNET_SYSTEM_GLOBALIZATION_INVARIANT, the default of Alpine and chiseled images), " +
                "where Unicode normalisation and IDN mapping do not work, so one email could index as two persons. " +
                "Install ICU (for example: apk add icu-libs) and set InvariantGlobalization to false.");
        }
    }

    public static string Email(string value, string paramName)
    {
        var email = Nfc(value.Trim(), paramName, "email").ToLowerInvariant();
        if (HasInvisible(email))
        {
            throw new VaultInputException("The email address holds invisible or control characters.", paramName, "email");
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at > 0 && at < email.Length - 1)
        {
            email = string.Concat(email.AsSpan(0, at + 1), Domain(email[(at + 1)..], paramName));
        }

        var valid = email.Length is >= 3 and <= 254
            && at is > 0 and <= 64
            && email.IndexOf('@', at + 1) < 0
            && ValidDomain(email.AsSpan(at + 1))
            && !email.StartsWith('.') && !email.AsSpan(0, at).EndsWith(".", StringComparison.Ordinal)
            && !email.Contains("..", StringComparison.Ordinal)
            && !email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || EmailForbidden.Contains(c, StringComparison.Ordinal));
        return valid ? email : throw new VaultInputException("The email address is malformed.", paramName, "email");
    }

    /// <summary>
    /// A phone number in E.164 (<c>+442079460958</c>), parsed with libphonenumber, Google's numbering-plan data that
    /// Databunker uses too: national trunk prefixes (<c>+44 (0) 20</c>, <c>020 ...</c> with a default country),
    /// international prefixes (<c>00</c>) and each country's lengths are its, not ours. A number that cannot be a
    /// number of its country (too short, too long, no such country code) is refused; one that merely is not
    /// assigned yet is kept, so that test and new ranges work.
    /// </summary>
    public static string Phone(string value, string? defaultCountryCode, string paramName)
    {
        var text = value.Trim();
        if (text.Length is 0 or > 64 || !(text[0] is '+' or '(' || char.IsAsciiDigit(text[0])))
        {
            throw new VaultInputException("The phone number must start with +, ( or a digit.", paramName, "phone");
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '.' or '(' or ')' or '/'))
            {
                throw new VaultInputException("The phone number may hold only digits, a leading +, spaces, dashes, dots, slashes and parentheses.", paramName, "phone");
            }
        }

        // "00" is the international prefix of most countries; without a default country it can only mean that.
        var international = text[0] == '+' || text.StartsWith("00", StringComparison.Ordinal);
        if (!international && defaultCountryCode is null)
        {
            throw new VaultInputException("The phone number has no country code (+ or 00) and no default country code is configured.", paramName, "phone");
        }

        var region = international ? "ZZ" : Phones.GetRegionCodeForCountryCode(int.Parse(defaultCountryCode!, CultureInfo.InvariantCulture));
        if (text.StartsWith("00", StringComparison.Ordinal))
        {
            text = "+" + text[2..];
        }

        PhoneNumbers.PhoneNumber parsed;
        try
        {
            parsed = Phones.Parse(text, region);
        }
        catch (PhoneNumbers.NumberParseException)
        {
            throw new VaultInputException("The phone number is not a valid international (E.164) number: no country code, or too short or too long.", paramName, "phone");
        }

        return Phones.IsPossibleNumber(parsed)
            ? Phones.Format(parsed, PhoneNumbers.PhoneNumberFormat.E164)
            : throw new VaultInputException("The phone number is not a valid international (E.164) number: its length does not fit its country's numbering plan.", paramName, "phone");
    }

    private static PhoneNumbers.PhoneNumberUtil Phones => PhoneNumbers.PhoneNumberUtil.GetInstance();

    private static string Text(string value, LookupKind kind, string paramName)
    {
        var field = kind.ToString().ToLowerInvariant();
        var text = Nfc(value.Trim(), paramName, field);
        if (kind == LookupKind.Login && HasInvisible(text))
        {
            throw new VaultInputException("The login holds invisible or control characters.", paramName, field);
        }

        return text.Length is >= 1 and <= 1024
            ? text
            : throw new VaultInputException($"The {field} value must be 1 to 1024 characters after trimming.", paramName, field);
    }

    private static string Nfc(string value, string paramName, string field)
    {
        if (!Utf16Text.IsValid(value))
        {
            throw new VaultInputException($"The {field} value is not valid Unicode text.", paramName, field);
        }

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

    /// <summary>UTS #46 to the ASCII (A-label) form; a domain it refuses is malformed.</summary>
    private static string Domain(string domain, string paramName)
    {
        if (System.Text.Ascii.IsValid(domain) && !domain.Contains("xn--", StringComparison.Ordinal))
        {
            return domain;
        }

        try
        {
            return Idn.GetAscii(domain).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            throw new VaultInputException("The email address is malformed.", paramName, "email");
        }
    }

    /// <summary>
    /// Control characters, format characters, and every default-ignorable code point (zero-width joiners, bidi
    /// controls, soft hyphens, variation selectors, the Hangul fillers, tags): anything that renders as nothing
    /// would let <c>alice</c> and <c>alice</c> plus an invisible character index as two persons.
    /// </summary>
    private static bool HasInvisible(string value)
    {
        foreach (var rune in value.EnumerateRunes())
        {
            if (Rune.IsControl(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format || DefaultIgnorable.Contains(rune.Value))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    private static bool Probe()
    {
        try
        {
            return "e\u0301".Normalize(NormalizationForm.FormC) == "\u00E9"
                && new IdnMapping().GetAscii("b\u00FCcher.de") == "xn--bcher-kva.de";
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or ArgumentException or NotSupportedException)
        {
            return false;
        }
    }
}
