using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Databunker.Tool.Scan;

/// <summary>What a column holds, as <c>databunker scan</c> names it.</summary>
internal enum PersonalDataKind
{
    /// <summary>Email addresses, as whole values or inside free text.</summary>
    Email,

    /// <summary>Phone numbers, valid for their country (libphonenumber), or runs of digits in a column whose name says phone.</summary>
    Phone,

    /// <summary>Payment card numbers: an issuer's prefix and length, and the Luhn check.</summary>
    CardNumber,

    /// <summary>International bank account numbers: the country's length and the ISO 13616 check digits.</summary>
    Iban,

    /// <summary>IPv4 or IPv6 addresses.</summary>
    IpAddress,

    /// <summary>Dates in a column whose name says birth.</summary>
    DateOfBirth,

    /// <summary>A column whose name says a person's name.</summary>
    Name,

    /// <summary>A column whose name says a postal address.</summary>
    Address,
}

/// <summary>
/// Tells personal data from other data, one value or one column name at a time. The checks are strict on purpose: a
/// scan that cries wolf on order numbers and prices is switched off, so a value counts only when its shape and its
/// check digits (Luhn, ISO 13616, libphonenumber's numbering plans) agree.
/// </summary>
internal static partial class PersonalDataDetectors
{
    /// <summary>The value kinds, in the order a value is tried (the first that matches counts).</summary>
    public static readonly PersonalDataKind[] ValueKinds = [PersonalDataKind.Email, PersonalDataKind.Iban, PersonalDataKind.CardNumber, PersonalDataKind.IpAddress, PersonalDataKind.Phone];

    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    /// <summary>IBAN lengths of the countries of the SEPA area and a few more (ISO 13616 registry); another country's IBAN is checked by its digits only.</summary>
    private static readonly Dictionary<string, int> IbanLengths = new(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AT"] = 20, ["BE"] = 16, ["BG"] = 22, ["CH"] = 21, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DK"] = 18, ["EE"] = 20,
        ["ES"] = 24, ["FI"] = 18, ["FR"] = 27, ["GB"] = 22, ["GI"] = 23, ["GR"] = 27, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22, ["IS"] = 26,
        ["IT"] = 27, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20, ["LV"] = 21, ["MC"] = 27, ["MT"] = 31, ["NL"] = 18, ["NO"] = 15, ["PL"] = 28,
        ["PT"] = 25, ["RO"] = 24, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["VA"] = 22, ["TR"] = 26, ["SA"] = 24, ["AE"] = 23,
    };

    /// <summary>Words that make an "address" column something else than where a person lives.</summary>
    private static readonly HashSet<string> NotPostal = new(StringComparer.Ordinal)
    {
        "email", "mail", "ip", "mac", "server", "host", "remote", "local", "bind", "listen", "web", "url", "wallet", "contract", "memory", "base",
    };

    /// <summary>Table names that say their rows are people: there, a bare <c>name</c> column is a person's name.</summary>
    private static readonly HashSet<string> PeopleTables = new(StringComparer.Ordinal)
    {
        "user", "users", "customer", "customers", "person", "persons", "people", "member", "members", "employee", "employees",
        "contact", "contacts", "patient", "patients", "client", "clients", "subscriber", "subscribers", "account", "accounts",
        "aspnetusers", "staff", "student", "students", "guest", "guests",
    };

    /// <summary>The kind a value is, or <see langword="null"/>. <paramref name="text"/> marks a value stored as text (a phone number stored as a number is not recognised).</summary>
    public static PersonalDataKind? Classify(string value, bool text, string region)
    {
        var trimmed = value.AsSpan().Trim();
        if (trimmed.Length is < 3 or > 320)
        {
            return null;
        }

        if (trimmed.Contains('@') && Email().IsMatch(trimmed))
        {
            return PersonalDataKind.Email;
        }

        if (IsIban(trimmed))
        {
            return PersonalDataKind.Iban;
        }

        if (IsCardNumber(trimmed))
        {
            return PersonalDataKind.CardNumber;
        }

        if (IsIpAddress(trimmed))
        {
            return PersonalDataKind.IpAddress;
        }

        return text && IsPhone(trimmed, region) ? PersonalDataKind.Phone : null;
    }

    /// <summary>A payment card number: 13 to 19 digits (spaces or dashes between groups), a known issuer prefix and length, and the Luhn check.</summary>
    public static bool IsCardNumber(ReadOnlySpan<char> value)
    {
        Span<byte> digits = stackalloc byte[19];
        var count = 0;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                if (count == digits.Length)
                {
                    return false;
                }

                digits[count++] = (byte)(c - '0');
            }
            else if (c is not (' ' or '-'))
            {
                return false;
            }
        }

        if (count < 13 || !KnownIssuer(digits[..count]))
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < count; i++)
        {
            int d = digits[count - 1 - i];
            if (i % 2 == 1)
            {
                d *= 2;
                d = d > 9 ? d - 9 : d;
            }

            sum += d;
        }

        return sum % 10 == 0;
    }

    /// <summary>Issuer prefixes and lengths: Visa, Mastercard, American Express, Discover, JCB, Diners Club, UnionPay, Maestro.</summary>
    private static bool KnownIssuer(ReadOnlySpan<byte> d)
    {
        var length = d.Length;
        var two = (d[0] * 10) + d[1];
        var four = (two * 100) + (d[2] * 10) + d[3];
        return d[0] switch
        {
            4 => length is 13 or 16 or 19,
            5 => (two is >= 51 and <= 55 && length == 16) || (two is 50 or (>= 56 and <= 58) && length >= 16),
            2 => four is >= 2221 and <= 2720 && length == 16,
            3 => (two is 34 or 37 && length == 15) || (two == 35 && length >= 16) || (two is 36 or 38 or 30 && length == 14),
            6 => (four == 6011 || two == 65 || four / 10 is >= 644 and <= 649 || two == 62) && length >= 16,
            _ => false,
        };
    }

    /// <summary>An IBAN (spaces allowed between groups): country letters, check digits, its country's length, and the remainder 1 modulo 97.</summary>
    public static bool IsIban(ReadOnlySpan<char> value)
    {
        Span<char> compact = stackalloc char[34];
        var length = 0;
        foreach (var c in value)
        {
            if (c == ' ')
            {
                continue;
            }

            if (length == compact.Length || !char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }

            compact[length++] = char.ToUpperInvariant(c);
        }

        if (length < 15 || !char.IsAsciiLetterUpper(compact[0]) || !char.IsAsciiLetterUpper(compact[1]) || !char.IsAsciiDigit(compact[2]) || !char.IsAsciiDigit(compact[3]))
        {
            return false;
        }

        if (IbanLengths.TryGetValue(new string(compact[..2]), out var expected) && expected != length)
        {
            return false;
        }

        // The remainder of the number made of the rest, then the first four, letters as 10 to 35 (ISO 7064 MOD 97-10).
        var remainder = 0;
        for (var i = 0; i < length; i++)
        {
            var c = compact[(i + 4) % length];
            remainder = char.IsAsciiDigit(c) ? ((remainder * 10) + (c - '0')) % 97 : ((remainder * 100) + (c - 'A' + 10)) % 97;
        }

        return remainder == 1;
    }

    /// <summary>An IPv4 address in dotted-quad form, or an IPv6 address.</summary>
    public static bool IsIpAddress(ReadOnlySpan<char> value) =>
        value.Contains(':')
            ? value.Length >= 3 && !value.ContainsAnyExcept(Ipv6Characters) && IPAddress.TryParse(value, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            : Ipv4().IsMatch(value);

    private static readonly System.Buffers.SearchValues<char> Ipv6Characters = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF:.");

    /// <summary>
    /// A phone number valid for its country: in international form (<c>+44 ...</c>, <c>0044 ...</c>), or national and
    /// read for <paramref name="region"/>, written with its trunk prefix or in groups (<c>020 7946 0958</c>,
    /// <c>(555) 010-4477</c>). A bare run of digits without a prefix is more often an order or account number than a
    /// phone, and is not taken for one.
    /// </summary>
    public static bool IsPhone(ReadOnlySpan<char> value, string region)
    {
        if (!PhoneShape().IsMatch(value))
        {
            return false;
        }

        var digits = 0;
        foreach (var c in value)
        {
            digits += char.IsAsciiDigit(c) ? 1 : 0;
        }

        if (digits is < 7 or > 15)
        {
            return false;
        }

        var text = value.ToString();
        var international = text.StartsWith('+') || text.StartsWith("00", StringComparison.Ordinal);
        if (!international && !text.StartsWith('0') && digits == text.Length)
        {
            return false; // a bare run of digits: an order or account number more often than a phone
        }

        try
        {
            var number = Phones.Parse(text.StartsWith("00", StringComparison.Ordinal) ? "+" + text[2..] : text, international ? "ZZ" : region);
            return Phones.IsValidNumber(number);
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    /// <summary>A date a person could have been born on: from 1900 to ten years before <paramref name="today"/>.</summary>
    public static bool IsBirthDate(object value, DateOnly today)
    {
        DateOnly date;
        switch (value)
        {
            case DateTime dateTime:
                date = DateOnly.FromDateTime(dateTime);
                break;
            case DateOnly only:
                date = only;
                break;
            case string text when DateOnly.TryParseExact(text.Trim(), ["yyyy-MM-dd", "dd/MM/yyyy", "MM/dd/yyyy", "dd.MM.yyyy", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out date):
                break;
            case string text when text.Length >= 10 && DateOnly.TryParseExact(text.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date):
                break;
            default:
                return false;
        }

        return date.Year >= 1900 && date <= today.AddYears(-10);
    }

    /// <summary>What a column's name says it holds, if it says a name, an address, a phone or a birth date; the table's name helps with a bare <c>name</c>.</summary>
    public static PersonalDataKind? FromColumnName(string table, string column)
    {
        var words = Words(column);
        var joined = string.Concat(words);
        if (words.Contains("birth") || words.Contains("dob") || words.Contains("born") || joined.Contains("birthday", StringComparison.Ordinal) || joined.Contains("birthdate", StringComparison.Ordinal))
        {
            return PersonalDataKind.DateOfBirth;
        }

        // A phone column of bare digits is found by its name: its values alone pass for order numbers.
        if (words.Any(w => w is "phone" or "mobile" or "telephone" or "tel" or "fax" or "msisdn" or "cellphone" or "phonenumber"))
        {
            return PersonalDataKind.Phone;
        }

        // An email or IP address column is found by its values, and a server's or a wallet's address is no postal one.
        if (!words.Any(NotPostal.Contains)
            && (words.Contains("address") || words.Contains("street") || words.Contains("postcode") || joined is "zip" or "zipcode" or "postcode" or "postalcode"))
        {
            return PersonalDataKind.Address;
        }

        if (joined is "firstname" or "lastname" or "surname" or "givenname" or "familyname" or "fullname" or "middlename" or "maidenname"
            or "displayname" or "username" or "customername" or "contactname" or "personname" or "forename" or "nickname"
            || (joined == "name" && PeopleTables.Contains(Words(table.Split('.')[^1]) is var t ? string.Concat(t) : table)))
        {
            return PersonalDataKind.Name;
        }

        return null;
    }

    /// <summary>A name's words, lower case: <c>first_name</c>, <c>FirstName</c> and <c>first-name</c> are <c>first</c>, <c>name</c>; <c>Address1</c> is <c>address</c>, <c>1</c>.</summary>
    internal static List<string> Words(string name)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush();
                continue;
            }

            var previous = i > 0 ? name[i - 1] : ' ';
            if (current.Length > 0
                && ((char.IsUpper(c) && (char.IsLower(previous) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(previous))))
                    || char.IsDigit(c) != char.IsDigit(previous)))
            {
                Flush(); // FirstName, HTTPServer, Address1
            }

            current.Append(char.ToLowerInvariant(c));
        }

        Flush();
        return words;

        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
    }

    /// <summary>
    /// A value as a report may show it: every character hidden but a few separators (<c>@ . - + / ( ) , : _</c> and the
    /// space), and, in a value of eight hidden characters or more, the first and the last two; at most forty characters
    /// (<c>a****@*******.*om</c>, <c>4*** **** **** **11</c>). An operator sees the shape, never the value. Characters
    /// are taken as Unicode scalars, so no script, combining mark or character outside the basic plane slips through.
    /// </summary>
    public static string Mask(string value)
    {
        var runes = value.Trim().EnumerateRunes().Take(40).ToList();
        var hidden = runes.Count(r => !IsSeparator(r));
        var text = new System.Text.StringBuilder(runes.Count);
        var seen = 0;
        foreach (var rune in runes)
        {
            if (IsSeparator(rune))
            {
                text.Append(rune.ToString());
                continue;
            }

            seen++;
            var shown = hidden >= 8 && (seen == 1 || seen > hidden - 2) && Rune.IsLetterOrDigit(rune) && rune.IsAscii;
            text.Append(shown ? rune.ToString() : "*");
        }

        return text.ToString();
    }

    private static bool IsSeparator(Rune rune) => rune.Value is ' ' or '@' or '.' or '-' or '+' or '/' or '(' or ')' or ',' or ':' or '_';

    [GeneratedRegex(@"^[A-Za-z0-9._%+'\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}$")]
    private static partial Regex Email();

    /// <summary>The first email address inside a longer text (a note, a comment, a JSON document), or <see langword="null"/>.</summary>
    public static string? FindEmail(string text) => text.Contains('@') && EmailInText().Match(text) is { Success: true } found ? found.Value : null;

    /// <summary>
    /// Whether a value has the shape of the vault's opaque tokens (<c>ITokenizer</c>: 18 random bytes, 24 characters of
    /// base64url) and is no personal value of that length (an IBAN without spaces can be 24 characters).
    /// </summary>
    public static bool IsVaultToken(string text, string region) => HasVaultTokenShape(text) && Classify(text, true, region) is null;

    /// <summary>Whether a value has the shape of the vault's opaque tokens: 24 characters of base64url.</summary>
    public static bool HasVaultTokenShape(string text) => text.Length == 24 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Whether a value is a run of 7 to 15 digits, separators aside: a phone number in a column whose name says phone.</summary>
    public static bool IsPhoneDigits(string value)
    {
        var digits = 0;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')' or '+' or '/'))
            {
                return false;
            }
        }

        return digits is >= 7 and <= 15;
    }

    [GeneratedRegex(@"(?<![A-Za-z0-9._%+'\-])[A-Za-z0-9._%+'\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b")]
    private static partial Regex EmailInText();

    [GeneratedRegex(@"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$")]
    private static partial Regex Ipv4();

    [GeneratedRegex(@"^[+(]?[0-9][0-9 ().\-/]{5,22}$")]
    private static partial Regex PhoneShape();
}
