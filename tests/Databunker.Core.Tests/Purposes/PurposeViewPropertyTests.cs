using System.Text.Json;
using CsCheck;
using Databunker.Core.Privacy;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Purposes;

/// <summary>For random catalogues, profiles and purposes, a read for a purpose never returns a field the purpose does not declare.</summary>
public sealed class PurposeViewPropertyTests
{
    private static readonly string[] Names = ["email", "name", "address", "city", "a", "b", "x/y", "t~n"];

    private static readonly Gen<string> Pointer = Gen.OneOfConst(Names).Array[1, 3]
        .Select(tokens => string.Concat(tokens.Select(t => "/" + t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))));

    private static readonly Gen<PurposeField> Field = Gen.Select(Pointer, Gen.Enum<FieldView>().Where(v => v != FieldView.Transform))
        .Select((path, view) => new PurposeField { Path = path, View = view });

    private static readonly Gen<ProcessingActivity[]> Catalogue = Field.Array[0, 5].Array[1, 4]
        .Select(activities => activities.Select((fields, i) => new ProcessingActivity
        {
            Name = $"purpose-{i}",
            Purpose = "Testing",
            LegalBasis = LegalBasis.Contract,
            Fields = [.. fields.DistinctBy(f => f.Path)],
        }).ToArray());

    private static readonly Gen<string> Scalar = Gen.OneOf(
        Gen.OneOfConst("\"alice@mail.example\"", "\"1990-05-17\"", "\"+44 20 7946 0958\"", "\"ab\"", "\"\"", "12345", "true", "null", "[1,2]"),
        Gen.String[Gen.Char.AlphaNumeric, 0, 12].Select(s => JsonSerializer.Serialize(s)));

    private static readonly Gen<string> Value = Gen.Recursive<string>((depth, value) => depth >= 3
        ? Scalar
        : Gen.Frequency((3, Scalar), (2, Gen.Select(Gen.OneOfConst(Names), value).Array[0, 5].Select(Object))));

    private static readonly Gen<string> Profile = Gen.Select(Gen.OneOfConst(Names), Value).Array[0, 7].Select(Object);

    [Test]
    public void AProjection_HoldsOnlyDeclaredFields_AndPlainOnesExactlyAsStored()
    {
        Gen.Select(Catalogue, Profile, Gen.Int[0, 3]).Sample((activities, json, pick) =>
        {
            var options = new DatabunkerOptions();
            foreach (var activity in activities)
            {
                options.Privacy.Activities.Add(activity);
            }

            var views = new PurposeViews(Options.Create(options), [], []);
            var activity0 = activities[pick % activities.Length];
            var profile = Parse(json);
            var returned = new List<string>();
            var seen = views.Resolve(activity0.Name).Project(profile, returned);

            // The projection straight from the stored bytes (a read by token) is the same.
            var fromBytes = new List<string>();
            SameJson(views.Resolve(activity0.Name).Project(System.Text.Encoding.UTF8.GetBytes(json), fromBytes), seen).Should().BeTrue();
            fromBytes.Should().Equal(returned);

            var declared = activity0.Fields.Select(f => Tokens(f.Path)).ToList();
            foreach (var (pointer, leaf) in Leaves(seen, []))
            {
                var covering = declared.Where(d => d.Length <= pointer.Length && d.SequenceEqual(pointer.Take(d.Length))).ToList();
                covering.Should().NotBeEmpty($"{string.Join('/', pointer)} is not declared by the purpose");
                var field = activity0.Fields.First(f => Tokens(f.Path).SequenceEqual(covering.OrderBy(c => c.Length).First()));
                if (field.View == FieldView.Plain)
                {
                    Kernel.JsonPointer.TryResolve(profile, [.. pointer], out var stored).Should().BeTrue("a plain field is returned only where it is stored");
                    SameJson(stored, leaf).Should().BeTrue();
                }
                else
                {
                    leaf.ValueKind.Should().Be(JsonValueKind.String, "a mask is text");
                }
            }

            returned.Where(r => !declared.Any(d => d.SequenceEqual(Tokens(r)))).Should().BeEmpty("the audit names declared fields only");
        }, iter: 3000);
    }

    [Test]
    public async Task ThroughTheVault_EveryPurposeOfTheShop_ReturnsOnlyItsFields()
    {
        await using var host = await VaultHost.StartAsync(o => ShopCatalog.Declare(o.Privacy), keys: b => ShopCatalog.AddTransforms(b.UseMasterKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))));
        var catalog = host.Services.GetRequiredService<IOptions<DatabunkerOptions>>().Value.Privacy;
        await Gen.Select(Profile, Gen.OneOfConst("account", "delivery", "fraud")).SampleAsync(async (json, purpose) =>
        {
            Guid token;
            try
            {
                token = await host.Vault.CreatePersonAsync(Parse(json));
            }
            catch (Exception ex) when (ex is VaultInputException or DuplicateIndexException)
            {
                return; // an email that is no address, or one taken by an earlier sample
            }

            var seen = (await host.Vault.ForPurpose(purpose).GetPersonAsync(PersonLookup.ByToken(token)))!.Profile;
            var declared = catalog.Activities.Single(a => a.Name == purpose).Fields.Select(f => Tokens(f.Path)).ToList();
            foreach (var (pointer, _) in Leaves(seen, []))
            {
                declared.Should().Contain(d => d.Length <= pointer.Length && d.SequenceEqual(pointer.Take(d.Length)), $"{string.Join('/', pointer)} is not declared by {purpose}");
            }
        }, iter: 200, threads: 1);
    }

    [TestCase("\"alice@mail.example\"", "mail.example")]
    [TestCase("\"Call me @ 555-0100, PIN 1234\"", null)]
    [TestCase("\"@mail.example\"", null)]
    [TestCase("\"alice@\"", null)]
    [TestCase("\"alice@mail..example\"", null)]
    [TestCase("12345", null)]
    public void TheEmailDomainView_ShowsOnlyTheHostOfAnAddress(string value, string? expected)
    {
        var options = new DatabunkerOptions();
        options.Privacy.Activities.Add(new ProcessingActivity
        {
            Name = "stats", Purpose = "Counting domains", LegalBasis = LegalBasis.LegitimateInterests,
            Fields = [new() { Path = "/contact", View = FieldView.EmailDomain }],
        });
        var view = new PurposeViews(Options.Create(options), [], []).Resolve("stats");
        var json = "{\"contact\": " + value + ", \"other\": 1}";

        foreach (var seen in new[] { view.Project(Parse(json), []), view.Project(System.Text.Encoding.UTF8.GetBytes(json), []) })
        {
            seen.GetRawText().Should().Be(expected is null ? "{}" : "{\"contact\":\"" + expected + "\"}");
        }
    }

    private static string[] Tokens(string pointer) => Kernel.JsonPointer.TryParse(pointer, out var tokens) ? tokens : throw new ArgumentException(pointer);

    /// <summary>Every member that is not an object holding members, with its path; an empty object counts as a leaf.</summary>
    private static IEnumerable<(string[] Pointer, JsonElement Value)> Leaves(JsonElement value, string[] at)
    {
        if (value.ValueKind != JsonValueKind.Object || (at.Length > 0 && !value.EnumerateObject().Any()))
        {
            yield return (at, value);
            yield break;
        }

        foreach (var property in value.EnumerateObject())
        {
            foreach (var leaf in Leaves(property.Value, [.. at, property.Name]))
            {
                yield return leaf;
            }
        }
    }

    private static string Object((string Name, string Value)[] members) =>
        "{" + string.Join(",", members.DistinctBy(m => m.Name).Select(m => JsonSerializer.Serialize(m.Name) + ":" + m.Value)) + "}";
}
