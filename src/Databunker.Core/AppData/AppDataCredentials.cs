using System.Buffers;
using System.Text.Json;

namespace Databunker.Core.AppData;

/// <summary>
/// The members of an app-data document that hold credentials (password hashes, second-factor keys, recovery codes,
/// security stamps), named by the document itself in its top-level <c>$credentials</c> array. Whoever reads a person's
/// data rather than the application that wrote it (the subject-access export, the privacy portal, the DPO console, a
/// share link) gets each of them as <c>"withheld"</c>, and not the list: someone who controls the person's mailbox, and
/// so the portal, must not get what signs in as them. The mark travels with the document, so every process that
/// exports it (a host, the command-line tool) withholds the same members.
/// </summary>
internal static class AppDataCredentials
{
    public const string Member = "$credentials";

    public const string Withheld = "withheld";

    /// <summary>The document with its credentials withheld, or the document itself when it names none.</summary>
    public static JsonElement Withhold(JsonElement document)
    {
        if (Names(document) is not { } names)
        {
            return document;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, document, names);
        }

        using var parsed = JsonDocument.Parse(buffer.WrittenMemory);
        return parsed.RootElement.Clone();
    }

    /// <summary>Writes the document with its credentials withheld.</summary>
    public static void Write(Utf8JsonWriter writer, JsonElement document)
    {
        if (Names(document) is { } names)
        {
            Write(writer, document, names);
        }
        else
        {
            document.WriteTo(writer);
        }
    }

    private static void Write(Utf8JsonWriter writer, JsonElement document, HashSet<string> names)
    {
        writer.WriteStartObject();
        foreach (var member in document.EnumerateObject())
        {
            if (member.NameEquals(Member))
            {
                continue;
            }

            if (names.Contains(member.Name))
            {
                writer.WriteString(member.Name, Withheld);
            }
            else
            {
                member.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>The names the document's <c>$credentials</c> lists, or <see langword="null"/> when it has no such member.</summary>
    private static HashSet<string>? Names(JsonElement document)
    {
        if (document.ValueKind != JsonValueKind.Object || !document.TryGetProperty(Member, out var list))
        {
            return null;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        if (list.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in list.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String)
                {
                    names.Add(name.GetString()!);
                }
            }
        }

        return names;
    }
}
