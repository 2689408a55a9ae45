using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Databunker.Core.Kernel;

/// <summary>
/// Checks a profile, writes it as compact UTF-8 JSON and reads its index fields. The top-level
/// <c>login</c>, <c>email</c>, <c>phone</c> and <c>custom</c> members are the indexes; a null member is
/// no index; each may appear once.
/// </summary>
internal static class ProfileCodec
{
    /// <summary>
    /// The one nesting limit for profiles and patches, written and read alike (System.Text.Json's default
    /// for reading): a profile that could be stored but not read back would be lost.
    /// </summary>
    public const int MaxDepth = 64;


    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = MaxDepth };

    public static byte[] Serialize(JsonElement profile, int maxBytes, string paramName, string what = "profile")
    {
        using var scratch = JsonScratch.ForProfile(WriterOptions);
        return Write(profile, maxBytes, paramName, scratch, what).ToArray();
    }

    /// <summary>The checks of <see cref="Serialize"/> (an object, depth, size, valid text, unique names) without keeping the bytes.</summary>
    public static void Validate(JsonElement profile, int maxBytes, string paramName, string what = "profile")
    {
        using var scratch = JsonScratch.ForProfile(WriterOptions);
        Write(profile, maxBytes, paramName, scratch, what);
    }

    private static ReadOnlySpan<byte> Write(JsonElement profile, int maxBytes, string paramName, JsonScratch scratch, string what)
    {
        if (profile.ValueKind != JsonValueKind.Object)
        {
            throw new VaultInputException(paramName == "patch" ? "The patch must be a JSON object (RFC 7396 merge patch)." : $"The {what} must be a JSON object.", paramName);
        }

        if (Depth(profile, 0) > MaxDepth)
        {
            throw new VaultInputException($"The {what} is nested deeper than {MaxDepth} levels.", paramName);
        }

        ReadOnlySpan<byte> written;
        try
        {
            profile.WriteTo(scratch.Writer);
            written = scratch.Written;
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to write text that is not valid UTF-16 (a lone surrogate).
            throw new VaultInputException($"The {what} holds text that is not valid Unicode.", paramName);
        }

        if (written.Length > maxBytes)
        {
            throw new VaultInputException($"The {what} is {written.Length} bytes; the limit is {maxBytes}.", paramName);
        }

        if (FindDuplicateMember(profile, topLevel: true) is { } duplicate)
        {
            throw new VaultInputException(
                $"A JSON object in the {what} has a member name more than once; names must be unique (RFC 8259, I-JSON).",
                paramName,
                what == "profile" && duplicate is "login" or "email" or "phone" or "custom" ? duplicate : null);
        }

        return written;
    }

    /// <summary>The profile's index values, normalised, in a fixed order.</summary>
    public static List<(LookupKind Kind, string Value)> ReadIndexes(JsonElement profile, string? defaultCountryCode, string paramName)
    {
        var found = new List<(LookupKind, string)>(4);
        foreach (var member in profile.EnumerateObject())
        {
            // NameEquals compares the raw name without making a string of it (this runs for every member on every write).
            var kind = member.NameEquals("email"u8) ? LookupKind.Email
                : member.NameEquals("phone"u8) ? LookupKind.Phone
                : member.NameEquals("login"u8) ? LookupKind.Login
                : member.NameEquals("custom"u8) ? LookupKind.Custom
                : LookupKind.None;
            if (kind == LookupKind.None || member.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var field = member.Name;
            var raw = RawIndexValue(member.Value, kind) ?? throw new VaultInputException(
                kind == LookupKind.Phone ? "The phone member must be a string or a number." : $"The {field} member must be a string.", paramName, field);
            found.Add((kind, IndexNormalizer.Normalize(kind, raw, defaultCountryCode, paramName)));
        }

        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return found;
    }

    /// <summary>The normalised value of one index kind in a profile, or <see langword="null"/> when the profile has none.</summary>
    public static string? ReadIndex(JsonElement profile, LookupKind kind, string? defaultCountryCode, string paramName)
    {
        var name = PersonDirectory.IndexName(kind);
        if (!profile.TryGetProperty(name, out var member) || member.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return RawIndexValue(member, kind) is { } raw ? IndexNormalizer.Normalize(kind, raw, defaultCountryCode, paramName) : null;
    }

    /// <summary>An index member's text before normalisation: a string, or for a phone also a number; otherwise <see langword="null"/>.</summary>
    private static string? RawIndexValue(JsonElement value, LookupKind kind) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number when kind == LookupKind.Phone => value.GetRawText(),
        _ => null,
    };

    /// <summary>Objects of up to this many members are checked by comparing their raw names pairwise, without allocating.</summary>
    private const int PairwiseMembers = 16;

    /// <summary>A member name that appears twice in one object, or <see langword="null"/>; top-level index names are preferred.</summary>
    private static string? FindDuplicateMember(JsonElement element, bool topLevel)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                return element.GetPropertyCount() <= PairwiseMembers
                    ? FindDuplicateMemberPairwise(element, topLevel)
                    : FindDuplicateMemberBySet(element, topLevel);
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (FindDuplicateMember(item, false) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>
    /// A small object's names compared as the raw UTF-8 the document holds: equal text is equal bytes unless a name is
    /// written with an escape (<c>\u0061</c> for <c>a</c>), so an object with one goes to <see cref="FindDuplicateMemberBySet"/>.
    /// Every name of the object is checked before any value is looked into, so that no value is looked into twice (a
    /// fallback after the values would double the work at every level of nesting).
    /// </summary>
    private static string? FindDuplicateMemberPairwise(JsonElement element, bool topLevel)
    {
        var index = 0;
        foreach (var member in element.EnumerateObject())
        {
            var name = JsonMarshal.GetRawUtf8PropertyName(member);
            if (name.Contains((byte)'\\'))
            {
                return FindDuplicateMemberBySet(element, topLevel);
            }

            var earlier = 0;
            foreach (var before in element.EnumerateObject())
            {
                if (earlier++ == index)
                {
                    break;
                }

                if (JsonMarshal.GetRawUtf8PropertyName(before).SequenceEqual(name))
                {
                    return member.Name;
                }
            }

            index++;
        }

        foreach (var member in element.EnumerateObject())
        {
            if (FindDuplicateMember(member.Value, false) is { } nested)
            {
                return topLevel ? string.Empty : nested;
            }
        }

        return null;
    }

    private static string? FindDuplicateMemberBySet(JsonElement element, bool topLevel)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        string? nested = null;
        foreach (var member in element.EnumerateObject())
        {
            if (!names.Add(member.Name))
            {
                return member.Name;
            }

            nested ??= FindDuplicateMember(member.Value, false);
        }

        return nested is not null && topLevel ? string.Empty : nested;
    }

    /// <summary>Parses stored JSON (no reflection: the reader itself builds the element).</summary>
    public static JsonElement Deserialize(byte[] utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth });
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>The element a node (a merge patch's result) writes, without the reflection-based serializer.</summary>
    public static JsonElement ToElement(JsonNode? node)
    {
        if (node is null)
        {
            using var literal = JsonDocument.Parse("null");
            return literal.RootElement.Clone();
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { MaxDepth = MaxDepth + 1 }))
        {
            node.WriteTo(writer);
        }

        var reader = new Utf8JsonReader(buffer.WrittenSpan, new JsonReaderOptions { MaxDepth = MaxDepth + 1 });
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>How many containers are nested in <paramref name="element"/>, stopping once past the limit.</summary>
    private static int Depth(JsonElement element, int above)
    {
        if (element.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            return above;
        }

        var depth = above + 1;
        if (depth > MaxDepth)
        {
            return depth;
        }

        var deepest = depth;
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in element.EnumerateObject())
            {
                deepest = Math.Max(deepest, Depth(member.Value, depth));
            }
        }
        else
        {
            foreach (var item in element.EnumerateArray())
            {
                deepest = Math.Max(deepest, Depth(item, depth));
            }
        }

        return deepest;
    }
}
