using System.Text.Json;
using System.Text.Json.Nodes;

namespace Databunker.Core.Kernel;

/// <summary>JSON merge patch, RFC 7396: object members merge recursively, <c>null</c> removes, anything else replaces.</summary>
internal static class JsonMergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonElement patch)
    {
        if (patch.ValueKind != JsonValueKind.Object)
        {
            return JsonNode.Parse(patch.GetRawText());
        }

        var result = target as JsonObject ?? [];
        foreach (var member in patch.EnumerateObject())
        {
            if (member.Value.ValueKind == JsonValueKind.Null)
            {
                result.Remove(member.Name);
            }
            else if (member.Value.ValueKind == JsonValueKind.Object && result[member.Name] is JsonObject nested)
            {
                Apply(nested, member.Value);
            }
            else
            {
                result[member.Name] = Apply(null, member.Value);
            }
        }

        return result;
    }
}
