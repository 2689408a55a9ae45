using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Databunker.Core;

namespace Databunker.Tool.Import;

/// <summary>
/// Where each source column goes: <c>--map column=field</c> puts it into the profile (<c>address/street</c> into a nested
/// object), <c>--map column=app:shop/street</c> into the app data of application <c>shop</c>, and <c>--credential
/// column=app:identity/passwordHash</c> there too, named in the document's <c>$credentials</c> so that whoever reads the
/// person's data gets it withheld. Values are copied as they come: text as strings, numbers as numbers; a null or empty
/// value is left out.
/// </summary>
internal sealed class ColumnMap
{
    private const string AppPrefix = "app:";

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private ColumnMap(IReadOnlyList<Target> targets) => Targets = targets;

    /// <summary>One mapped column.</summary>
    /// <param name="Column">The source column (or JSON Lines property).</param>
    /// <param name="App">The application whose document it goes into, or <see langword="null"/> for the profile.</param>
    /// <param name="Path">The members it is nested under, outermost first; the last is its own name.</param>
    /// <param name="Credential">Whether the value is a credential, which the document names in <c>$credentials</c>.</param>
    internal sealed record Target(string Column, string? App, string[] Path, bool Credential = false);

    public IReadOnlyList<Target> Targets { get; }

    /// <summary>The mapped columns, each once, in the order given.</summary>
    public IReadOnlyList<string> Columns => [.. Targets.Select(t => t.Column).Distinct(StringComparer.Ordinal)];

    /// <summary>Reads the <c>--map</c> and <c>--credential</c> options; a malformed one, or two columns for one field, is refused naming it.</summary>
    public static ColumnMap Parse(IEnumerable<string> maps, IEnumerable<string>? credentials = null)
    {
        var targets = new List<Target>();
        foreach (var (map, credential) in maps.Select(m => (m, false)).Concat((credentials ?? []).Select(c => (c, true))))
        {
            var option = credential ? "--credential" : "--map";
            var equals = map.IndexOf('=', StringComparison.Ordinal);
            var column = equals > 0 ? map[..equals].Trim() : string.Empty;
            var field = equals > 0 ? map[(equals + 1)..].Trim() : string.Empty;
            string? app = null;
            if (field.StartsWith(AppPrefix, StringComparison.Ordinal))
            {
                var slash = field.IndexOf('/', StringComparison.Ordinal);
                app = slash > AppPrefix.Length ? field[AppPrefix.Length..slash] : string.Empty;
                field = slash > 0 ? field[(slash + 1)..] : string.Empty;
            }

            var path = field.Split('/');
            if (column.Length == 0 || app is { Length: 0 } || path.Any(p => p.Length == 0))
            {
                throw new ArgumentException($"{option} {map} is not column=field (field: a profile member such as email or address/street, or app:NAME/member).");
            }

            if (path[0] == Databunker.Core.AppData.AppDocument.CredentialsMember)
            {
                throw new ArgumentException($"{option} {map}: {Databunker.Core.AppData.AppDocument.CredentialsMember} is written by --credential, never from a column.");
            }

            if (credential && (app is null || path.Length != 1))
            {
                throw new ArgumentException($"--credential {map} is not column=app:NAME/member: a credential is a top-level member of an application's document.");
            }

            if (targets.Any(t => t.App == app && (IsPrefix(t.Path, path) || IsPrefix(path, t.Path))))
            {
                throw new ArgumentException($"{option} {map}: another column already goes to {field} (or a member around it).");
            }

            targets.Add(new Target(column, app, path, credential));
        }

        if (targets.Count == 0)
        {
            throw new ArgumentException("Name at least one column to import with --map column=field.");
        }

        return new ColumnMap(targets);
    }

    /// <summary>
    /// The row as the vault gets it, or <see langword="null"/> when every mapped value is empty (a row cleared by an
    /// earlier <c>--null-source</c>, or one that holds nothing to move): such a row is left alone.
    /// </summary>
    public ImportRow? ToRow(string sourceId, Func<string, SourceValue> value)
    {
        JsonElement? profile = null;
        Dictionary<string, JsonElement>? apps = null;
        foreach (var group in Targets.GroupBy(t => t.App))
        {
            var document = Build(group, value);
            if (document is null)
            {
                continue;
            }

            if (group.Key is null)
            {
                profile = document;
            }
            else
            {
                (apps ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal))[group.Key] = document.Value;
            }
        }

        if (profile is null && apps is null)
        {
            return null;
        }

        return new ImportRow(sourceId, profile ?? EmptyObject) { AppData = apps };
    }

    private static JsonElement? Build(IEnumerable<Target> targets, Func<string, SourceValue> value)
    {
        // A tree of the members, so that address/street and address/city end up in one object.
        var root = new Node();
        var credentials = new List<string>();
        var any = false;
        foreach (var target in targets)
        {
            var found = value(target.Column);
            if (found.IsEmpty)
            {
                continue;
            }

            var node = root;
            foreach (var member in target.Path[..^1])
            {
                node = node.Children.TryGetValue(member, out var child) ? child : node.Children[member] = new Node();
            }

            node.Children[target.Path[^1]] = new Node { Value = found };
            if (target.Credential)
            {
                credentials.Add(target.Path[0]);
            }

            any = true;
        }

        if (!any)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, root, credentials);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>Writes a node; the root names its credentials first (<see cref="Databunker.Core.AppData.AppDocument.CredentialsMember"/>), if it has any.</summary>
    private static void Write(Utf8JsonWriter writer, Node node, List<string>? credentials = null)
    {
        if (node.Value is { } value)
        {
            value.WriteTo(writer);
            return;
        }

        writer.WriteStartObject();
        if (credentials is { Count: > 0 })
        {
            writer.WriteStartArray(Databunker.Core.AppData.AppDocument.CredentialsMember);
            foreach (var name in credentials)
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
        }

        foreach (var (name, child) in node.Children)
        {
            if (child.Value is not null || child.Children.Count > 0)
            {
                writer.WritePropertyName(name);
                Write(writer, child);
            }
        }

        writer.WriteEndObject();
    }

    private static bool IsPrefix(string[] shorter, string[] longer) =>
        shorter.Length <= longer.Length && shorter.AsSpan().SequenceEqual(longer.AsSpan(0, shorter.Length));

    private sealed class Node
    {
        public Dictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);

        public SourceValue? Value { get; init; }
    }
}

/// <summary>A value read from a source: text, a number, a boolean, JSON, or nothing.</summary>
internal readonly struct SourceValue
{
    private readonly object? _value;

    private SourceValue(object? value) => _value = value;

    public static SourceValue None => default;

    /// <summary>Null, missing, or empty (or white-space) text: not imported.</summary>
    public bool IsEmpty => _value switch
    {
        null => true,
        string text => string.IsNullOrWhiteSpace(text),
        JsonElement json => json.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined || (json.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(json.GetString())),
        _ => false,
    };

    /// <summary>A database value: numbers stay numbers, times are written in ISO 8601, other values as their invariant text.</summary>
    public static SourceValue Of(object? value) => new(value switch
    {
        null or DBNull => null,
        byte[] bytes => Convert.ToBase64String(bytes),
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        string or long or int or short or decimal or double or float or bool or JsonElement => value,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    });

    /// <summary>The value as text (numbers and times in their invariant form), as a row's id is given.</summary>
    public string Text => _value switch
    {
        null => string.Empty,
        string text => text,
        JsonElement json => json.ValueKind == JsonValueKind.String ? json.GetString()! : json.GetRawText(),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => _value.ToString() ?? string.Empty,
    };

    public void WriteTo(Utf8JsonWriter writer)
    {
        switch (_value)
        {
            case string text: writer.WriteStringValue(text); break;
            case long number: writer.WriteNumberValue(number); break;
            case int number: writer.WriteNumberValue(number); break;
            case short number: writer.WriteNumberValue(number); break;
            case decimal number: writer.WriteNumberValue(number); break;
            case double number: writer.WriteNumberValue(number); break;
            case float number: writer.WriteNumberValue(number); break;
            case bool flag: writer.WriteBooleanValue(flag); break;
            case JsonElement json: json.WriteTo(writer); break;
            default: writer.WriteNullValue(); break;
        }
    }
}
