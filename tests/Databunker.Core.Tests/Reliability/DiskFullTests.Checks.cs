using System.Text.Json;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Reliability;

public sealed partial class DiskFullTests
{
    /// <summary>The call's result, or default when it was refused as a full disk; any other failure fails the test.</summary>
    private static async Task<T?> RefusedAsDiskFullAsync<T>(Func<Task<T>> call, string value)
        where T : struct => await RefusedAsync(call, value) is (true, var result) ? result : null;

    private static async Task<string?> RefusedAsDiskFullAsync(Func<Task<string>> call, string value) =>
        await RefusedAsync(call, value) is (true, var result) ? result : null;

    private static async Task<(bool Done, T? Result)> RefusedAsync<T>(Func<Task<T>> call, string value)
    {
        try
        {
            return (true, await call());
        }
        catch (DatabunkerStorageException ex)
        {
            ex.Message.Should().Contain("disk full").And.NotContain(value);
            ex.IsTransient.Should().BeFalse("freeing space takes someone; a retry alone does not");
            return (false, default);
        }
    }

    /// <summary>Reads every acknowledged person by token and by email, and their token; returns the number of reads.</summary>
    private static async Task<int> ReadEveryoneAsync(VaultHost host, Dictionary<int, Guid> people, Dictionary<int, JsonElement> profiles, Dictionary<int, string> tokens)
    {
        var tokenizer = host.Services.GetRequiredService<ITokenizer>();
        foreach (var (i, token) in people)
        {
            var byToken = await host.Vault.GetPersonAsync(PersonLookup.ByToken(token));
            SameJson(byToken!.Profile, profiles[i]).Should().BeTrue($"person {i} reads back as acknowledged");
            (await host.Vault.GetPersonAsync(PersonLookup.ByEmail($"person{i:D5}@mail-{i % 7}.example")))!.Token.Should().Be(token);
        }

        foreach (var (i, token) in tokens)
        {
            (await tokenizer.DetokenizeAsync(token)).Should().Be(NationalId(i));
        }

        return people.Count * 2 + tokens.Count;
    }

    private static JsonElement Merged(JsonElement profile, JsonElement patch)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(profile.GetRawText())!.AsObject();
        foreach (var (name, value) in patch.EnumerateObject().Select(p => (p.Name, p.Value)))
        {
            node[name] = System.Text.Json.Nodes.JsonNode.Parse(value.GetRawText());
        }

        return JsonSerializer.SerializeToElement(node);
    }
}
