using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Databunker.Core.CrashWorker;

/// <summary>A hash of a profile's content that ignores member order; shared by the worker and the crash test.</summary>
public static class ProfileHash
{
    public static string Of(JsonElement profile) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(profile))));

    private static string Canonical(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", e.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => JsonSerializer.Serialize(p.Name) + ":" + Canonical(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", e.EnumerateArray().Select(Canonical)) + "]",
        _ => e.GetRawText(),
    };
}
