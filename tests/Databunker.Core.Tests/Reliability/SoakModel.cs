using System.Text.Json;
using System.Text.Json.Nodes;
using Databunker.Core.Expiration;

namespace Databunker.Core.Tests.Reliability;

/// <summary>What the soak expects the vault to hold: live persons with their tokens, sessions and expiration, and the forgotten.</summary>
internal sealed class SoakModel
{
    public Dictionary<Guid, SoakPerson> Live { get; } = [];

    public List<SoakPerson> Forgotten { get; } = [];

    public List<Guid> LiveTokens { get; } = [];

    public SoakPerson Add(Guid token, JsonElement profile)
    {
        var person = new SoakPerson(token, JsonNode.Parse(profile.GetRawText())!.AsObject(), profile.GetProperty("email").GetString()!);
        Live[token] = person;
        LiveTokens.Add(token);
        return person;
    }

    public void Forget(Guid token)
    {
        var person = Live[token];
        Live.Remove(token);
        LiveTokens.Remove(token);
        Forgotten.Add(person);
    }

    /// <summary>Everyone still waiting whose due time has come: the persons a due pass forgets now.</summary>
    public List<Guid> DueAt(DateTimeOffset now) =>
        [.. Live.Values.Where(p => p.Expiration == ExpirationState.Waiting && p.DueAt <= now).Select(p => p.Token)];

    /// <summary>RFC 7396 applied to the model's copy of a profile.</summary>
    public static void MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject inner)
            {
                if (target[name] is not JsonObject existing)
                {
                    existing = [];
                    target[name] = existing;
                }

                MergePatch(existing, inner);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }
}

/// <summary>One person of the model.</summary>
internal sealed class SoakPerson(Guid token, JsonObject profile, string email)
{
    public Guid Token => token;

    public JsonObject Profile => profile;

    public string Email => email;

    /// <summary>Token → tokenized value.</summary>
    public Dictionary<string, string> Tokens { get; } = [];

    /// <summary>Session id → (data, expiry).</summary>
    public Dictionary<string, (JsonElement Data, DateTimeOffset ExpiresAt)> Sessions { get; } = [];

    public ExpirationState Expiration { get; set; }

    public DateTimeOffset? DueAt { get; set; }

    public ExpirationTicket? Ticket { get; set; }
}
