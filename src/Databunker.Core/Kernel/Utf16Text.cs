using System.Text;

namespace Databunker.Core.Kernel;

/// <summary>UTF-16 validity: a lone surrogate is not text, and would collapse to U+FFFD (and collide) once encoded.</summary>
internal static class Utf16Text
{
    public static bool IsValid(ReadOnlySpan<char> value)
    {
        if (!value.ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return true;
        }

        for (var i = 0; i < value.Length;)
        {
            if (Rune.DecodeFromUtf16(value[i..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            i += consumed;
        }

        return true;
    }
}
