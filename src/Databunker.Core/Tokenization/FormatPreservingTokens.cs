namespace Databunker.Core.Tokenization;

/// <summary>
/// Makes format-preserving tokens: ASCII digits become random digits, ASCII letters random letters of the
/// same case, everything else stays; optionally the last four letters or digits stay; card numbers get a
/// Luhn-valid check digit. Refuses values whose free positions give fewer than a million tokens.
/// </summary>
internal static class FormatPreservingTokens
{
    public const double MinimumDomain = 1_000_000;

    /// <summary>Throws <see cref="VaultInputException"/> when the value cannot be tokenized in this format.</summary>
    public static void Validate(string value, TokenFormat format, bool keepLastFour, string paramName)
    {
        var digits = 0;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (char.IsLetterOrDigit(c) && !char.IsAsciiLetter(c))
            {
                throw new VaultInputException("Format-preserving tokens take ASCII letters and digits only; use an opaque token for this value.", paramName);
            }
            else if (format == TokenFormat.CardNumber && c is not (' ' or '-'))
            {
                throw new VaultInputException("A card number may hold only digits, spaces and dashes.", paramName);
            }
        }

        if (format == TokenFormat.CardNumber && digits is < 12 or > 19)
        {
            throw new VaultInputException("A card number has 12 to 19 digits.", paramName);
        }

        if (DomainSize(value, format, keepLastFour) < MinimumDomain)
        {
            throw new VaultInputException(
                "The value leaves a format-preserving token fewer than a million possibilities, too few to hide it: use an opaque token, or do not keep the last four.", paramName);
        }
    }

    public static string Generate(string value, TokenFormat format, bool keepLastFour, bool luhnInvalid = false)
    {
        var kept = KeptFrom(value, keepLastFour);
        var chars = value.ToCharArray();
        var random = new RandomSymbols(stackalloc byte[64]);
        do
        {
            for (var i = 0; i < kept; i++)
            {
                chars[i] = chars[i] switch
                {
                    >= '0' and <= '9' => (char)('0' + random.Next(10)),
                    >= 'a' and <= 'z' => (char)('a' + random.Next(26)),
                    >= 'A' and <= 'Z' => (char)('A' + random.Next(26)),
                    var other => other,
                };
            }

            if (format == TokenFormat.CardNumber)
            {
                SetLuhnCheckDigit(chars, kept, luhnInvalid);
            }
        }
        while (chars.AsSpan().SequenceEqual(value));

        return new string(chars);
    }

    public static bool IsLuhnValid(ReadOnlySpan<char> number)
    {
        var sum = 0;
        var position = 0;
        for (var i = number.Length - 1; i >= 0; i--)
        {
            if (char.IsAsciiDigit(number[i]))
            {
                sum += Contribution(number[i] - '0', position++);
            }
        }

        return position > 0 && sum % 10 == 0;
    }

    private static double DomainSize(string value, TokenFormat format, bool keepLastFour)
    {
        var free = KeptFrom(value, keepLastFour);
        var size = 1.0;
        for (var i = 0; i < free; i++)
        {
            size *= char.IsAsciiDigit(value[i]) ? 10 : char.IsAsciiLetter(value[i]) ? 26 : 1;
        }

        return format == TokenFormat.CardNumber ? size / 10 : size;
    }

    /// <summary>The index from which characters are kept as they are: the last four letters or digits, or none.</summary>
    private static int KeptFrom(string value, bool keepLastFour)
    {
        if (!keepLastFour)
        {
            return value.Length;
        }

        var seen = 0;
        for (var i = value.Length - 1; i >= 0; i--)
        {
            if (char.IsAsciiLetterOrDigit(value[i]) && ++seen == 4)
            {
                return i;
            }
        }

        return 0;
    }

    /// <summary>Sets the rightmost free digit so that the whole number passes the Luhn check, or, when <paramref name="invalid"/>, fails it.</summary>
    private static void SetLuhnCheckDigit(char[] chars, int freeBefore, bool invalid)
    {
        int checkIndex = -1, checkPosition = -1, sum = 0, position = 0;
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            if (!char.IsAsciiDigit(chars[i]))
            {
                continue;
            }

            if (checkIndex < 0 && i < freeBefore)
            {
                checkIndex = i;
                checkPosition = position;
            }
            else
            {
                sum += Contribution(chars[i] - '0', position);
            }

            position++;
        }

        var needed = (10 - (sum % 10)) % 10;
        var valid = Enumerable.Range(0, 10).First(digit => Contribution(digit, checkPosition) == needed);

        // Each digit contributes differently, so exactly one is valid; an invalid token takes any of the other nine.
        var chosen = invalid ? (valid + 1 + RandomNumberGenerator.GetInt32(9)) % 10 : valid;
        chars[checkIndex] = (char)('0' + chosen);
    }

    private static int Contribution(int digit, int positionFromRight)
    {
        if (positionFromRight % 2 == 0)
        {
            return digit;
        }

        var doubled = digit * 2;
        return doubled > 9 ? doubled - 9 : doubled;
    }
}
