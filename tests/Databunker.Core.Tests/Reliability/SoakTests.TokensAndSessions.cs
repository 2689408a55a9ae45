using System.Text.Json;
using System.Text.Json.Nodes;
using Databunker.Core.Sessions;
using Databunker.Core.Tokenization;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Reliability;

public sealed partial class SoakTests
{
    private async Task<bool> RunMoreAsync(string name, SoakPerson? person)
    {
        switch (name)
        {
            case "tokenize":
                var value = $"NID-{_next++:D7}";
                person!.Tokens[await Tokens.TokenizeAsync(value, new TokenizeOptions { Person = person.Token })] = value;
                return true;
            case "detokenize":
                if (person!.Tokens.Count == 0)
                {
                    return false;
                }

                var (token, expected) = person.Tokens.ElementAt(_random.Next(person.Tokens.Count));
                Check(await Tokens.DetokenizeAsync(token) == expected, $"detokenize for {person.Token}");
                return true;
            case "session":
                var lifetime = TimeSpan.FromHours(_random.Next(1, 48));
                var data = Json(new { cart = _next++ });
                var ticket = await Sessions.CreateAsync(data, new SessionCreateOptions { Person = person!.Token, IdleTimeout = lifetime, AbsoluteTimeout = lifetime });
                person.Sessions[ticket.SessionId] = (data, ticket.ExpiresAt);
                return true;
            case "session read":
                if (person!.Sessions.Count == 0)
                {
                    return false;
                }

                var (id, (sessionData, expiresAt)) = person.Sessions.ElementAt(_random.Next(person.Sessions.Count));
                CheckSession(await Sessions.GetAsync(id, touch: false), person.Token, sessionData, expiresAt);
                return true;
            default:
                return await RunExpirationAsync(name, person);
        }
    }

    private JsonObject Patch() => _random.Next(6) switch
    {
        0 => new JsonObject { ["name"] = $"Renamed {_next++}" },
        1 => new JsonObject { ["visits"] = _next++ },
        2 => new JsonObject { ["address"] = new JsonObject { ["city"] = $"City {_next++}" } },
        3 => new JsonObject { ["address"] = null },
        4 => new JsonObject { ["nickname"] = $"nick{_next++}" },
        _ => new JsonObject { ["nickname"] = null, ["visits"] = _next++ },
    };

    private static JsonElement AsJson(JsonNode node) => JsonSerializer.SerializeToElement(node);

    private void CheckSession(Session? session, Guid person, JsonElement data, DateTimeOffset expiresAt)
    {
        var now = _host.Time.GetUtcNow();
        if (now < expiresAt - TimeSpan.FromMinutes(1))
        {
            Check(session is not null && session.Person == person && SameJson(session.Data, data), $"session of {person}");
        }
        else if (now > expiresAt + TimeSpan.FromMinutes(1))
        {
            Check(session is null, $"expired session of {person}");
        }
    }
}
