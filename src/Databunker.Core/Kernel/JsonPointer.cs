using System.Globalization;
using System.Text.Json;

namespace Databunker.Core.Kernel;

/// <summary>JSON Pointers (RFC 6901): parsing with the <c>~0</c>/<c>~1</c> escapes, and evaluation against a document.</summary>
internal static class JsonPointer
{
    /// <summary>Splits a pointer into its reference tokens; <see langword="false"/> when it is not a pointer (or is the whole document, <c>""</c>).</summary>
    public static bool TryParse(string? pointer, out string[] tokens)
    {
        tokens = [];
        if (string.IsNullOrEmpty(pointer) || pointer[0] != '/')
        {
            return false;
        }

        var parts = pointer[1..].Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            for (var j = part.IndexOf('~', StringComparison.Ordinal); j >= 0; j = part.IndexOf('~', j + 1))
            {
                if (j + 1 >= part.Length || part[j + 1] is not ('0' or '1'))
                {
                    return false;
                }
            }

            parts[i] = part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
        }

        tokens = parts;
        return true;
    }

    /// <summary>Finds the value <paramref name="tokens"/> names in <paramref name="document"/>; <see langword="false"/> when it names nothing.</summary>
    public static bool TryResolve(JsonElement document, string[] tokens, out JsonElement value)
    {
        value = document;
        foreach (var token in tokens)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object when value.TryGetProperty(token, out var member):
                    value = member;
                    break;
                case JsonValueKind.Array when IsIndex(token) && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < value.GetArrayLength():
                    value = value[index];
                    break;
                default:
                    value = default;
                    return false;
            }
        }

        return true;
    }

    /// <summary>An array index: <c>0</c>, or digits without a leading zero.</summary>
    private static bool IsIndex(string token) =>
        token.Length > 0 && token.Length <= 9 && token.All(char.IsAsciiDigit) && (token == "0" || token[0] != '0');
}
