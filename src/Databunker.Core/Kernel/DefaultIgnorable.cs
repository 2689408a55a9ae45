namespace Databunker.Core.Kernel;

/// <summary>
/// Unicode's <c>Default_Ignorable_Code_Point</c> property: characters that render as nothing (zero-width spaces and
/// joiners, bidi controls, variation selectors, the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, tags, and the
/// code points Unicode reserves for more of them). .NET has no API for the property, so the ranges are generated.
/// </summary>
/// <remarks>
/// Generated from DerivedCoreProperties-15.0.0.txt (Unicode 15.0.0; Debian's unicode-data package installs it as
/// /usr/share/unicode/DerivedCoreProperties.txt): every line whose property is Default_Ignorable_Code_Point, with
/// adjacent ranges merged. IndexNormalizerTests checks the table against that file wherever it is installed.
/// </remarks>
internal static class DefaultIgnorable
{
    /// <summary>The Unicode version the table was generated from.</summary>
    public const string UnicodeVersion = "15.0.0";

    /// <summary>The code point ranges (first and last, inclusive), ascending, adjacent ranges merged.</summary>
    public static IReadOnlyList<(int First, int Last)> Ranges { get; } =
    [
        (0x00AD, 0x00AD),
        (0x034F, 0x034F),
        (0x061C, 0x061C),
        (0x115F, 0x1160),
        (0x17B4, 0x17B5),
        (0x180B, 0x180F),
        (0x200B, 0x200F),
        (0x202A, 0x202E),
        (0x2060, 0x206F),
        (0x3164, 0x3164),
        (0xFE00, 0xFE0F),
        (0xFEFF, 0xFEFF),
        (0xFFA0, 0xFFA0),
        (0xFFF0, 0xFFF8),
        (0x1BCA0, 0x1BCA3),
        (0x1D173, 0x1D17A),
        (0xE0000, 0xE0FFF),
    ];

    /// <summary>Whether <paramref name="codePoint"/> is a default-ignorable code point.</summary>
    public static bool Contains(int codePoint)
    {
        if (codePoint < 0x00AD)
        {
            return false;
        }

        foreach (var (first, last) in Ranges)
        {
            if (codePoint <= last)
            {
                return codePoint >= first;
            }
        }

        return false;
    }
}
