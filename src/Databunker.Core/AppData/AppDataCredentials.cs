using System.Buffers;
using System.Text.Json;

namespace Databunker.Core.AppData;

/// <summary>
/// The members of an app-data document that hold credentials (password hashes, second-factor keys, recovery codes,
/// security stamps), named by the document itself in its top-level <c>$credentials</c> array. Whoever reads a person's
/// data rather than the application that wrote it (the subject-access export, the privacy portal, the DPO console, a
/// share link) gets each of them as <c>"withheld"</c>, and not the list: someone who controls the person's mailbox, and
/// so the portal, must not get what signs in as them. The mark travels with the document, so every process that
/// exports it (a host, the command-line tool) withholds the same members. Names are of top-level members; a mark that
/// is not an array of strings withholds every member (it fails closed).
/// </summary>
internal static class AppDataCredentials
{
    public const string Member = "$credentials";

    public const string Withheld = "withheld";

    /// <summary>The document with its credentials withheld, or the document itself when it names none.</summary>
    public static JsonElement Withhold(JsonElement document, string placeholder = Withheld)
    {
        var (marked, names) = Mark(document);
        if (!marked)
        {
            return document;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Kernel.ProfileCodec.WriterOptions))
        {
            Write(writer, document, names, placeholder);
        }

        using var parsed = JsonDocument.Parse(buffer.WrittenMemory);
        return parsed.RootElement.Clone();
    }

    /// <summary>Writes the document with its credentials withheld.</summary>
    public static void Write(Utf8JsonWriter writer, JsonElement document)
    {
        if (Mark(document) is (true, var names))
        {
            Write(writer, document, names, Withheld);
        }
        else
        {
            document.WriteTo(writer);
        }
    }

    private static void Write(Utf8JsonWriter writer, JsonElement document, HashSet<string>? names, string placeholder)
    {
        writer.WriteStartObject();
        foreach (var member in document.EnumerateObject())
        {
            if (member.NameEquals(Member))
            {
                continue;
            }

            if (names is null || names.Contains(member.Name))
            {
                writer.WriteString(member.Name, placeholder);
            }
            else
            {
                member.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Whether the document names credentials, and which: <c>Marked</c> is false when it has no <c>$credentials</c>;
    /// <c>Names</c> is <see langword="null"/> (every member) when the mark is not an array of strings.
    /// </summary>
    private static (bool Marked, HashSet<string>? Names) Mark(JsonElement document)
    {
        if (document.ValueKind != JsonValueKind.Object || !document.TryGetProperty(Member, out var list))
        {
            return (false, null);
        }

        if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(n => n.ValueKind != JsonValueKind.String))
        {
            return (true, null);
        }

        return (true, [.. list.EnumerateArray().Select(n => n.GetString()!)]);
    }
}
