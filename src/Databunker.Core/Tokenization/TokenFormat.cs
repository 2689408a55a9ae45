namespace Databunker.Core.Tokenization;

/// <summary>The shape of a token.</summary>
public enum TokenFormat
{
    /// <summary>24 URL-safe characters (144 random bits).</summary>
    Opaque = 1,

    /// <summary>
    /// Same length and separators as the value; each ASCII digit becomes a random digit and each ASCII
    /// letter a random letter of the same case; never equal to the value. Values with other letters or
    /// digits are refused.
    /// </summary>
    FormatPreserving = 2,

    /// <summary>
    /// Format-preserving for card numbers (12 to 19 digits, spaces or dashes between), and Luhn-valid unless
    /// <see cref="TokenizeOptions.LuhnInvalid"/> asks for the opposite.
    /// </summary>
    CardNumber = 3,
}
