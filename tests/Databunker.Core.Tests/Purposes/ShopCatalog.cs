using System.Text.Json;
using Databunker.Core.Privacy;

namespace Databunker.Core.Tests.Purposes;

/// <summary>
/// The shop of docs/minimisation.md: an account, delivery, a newsletter on consent and fraud prevention, each declaring
/// the fields it uses and how it sees them.
/// </summary>
public static class ShopCatalog
{
    public const string NewsletterText = "We will email you our newsletter, at most once a week. Unsubscribe at any time.";

    public static void Declare(PrivacyCatalogOptions catalog)
    {
        catalog.Controller = "Example Shop Ltd, privacy@shop.example";
        catalog.Notices.Add(new PrivacyNotice { Name = "newsletter", Text = NewsletterText });
        catalog.Activities.Add(new ProcessingActivity
        {
            Name = "account",
            Purpose = "Keeping your customer account",
            LegalBasis = LegalBasis.Contract,
            DataCategories = ["contact details", "login"],
            Fields = [new() { Path = "/email" }, new() { Path = "/login" }, new() { Path = "/name" }],
            AppData = ["preferences"],
        });
        catalog.Activities.Add(new ProcessingActivity
        {
            Name = "delivery",
            Purpose = "Delivering your orders",
            LegalBasis = LegalBasis.Contract,
            DataCategories = ["name", "delivery address", "phone number"],
            Fields =
            [
                new() { Path = "/name" },
                new() { Path = "/address" },
                new() { Path = "/phone", View = FieldView.LastFour },
            ],
        });
        catalog.Activities.Add(new ProcessingActivity
        {
            Name = "newsletter",
            Purpose = "Sending you our newsletter",
            LegalBasis = LegalBasis.Consent,
            Notice = "newsletter",
            DataCategories = ["email address"],
            Fields = [new() { Path = "/email" }, new() { Path = "/name", View = FieldView.Transform, Transform = "first-name" }],
        });
        catalog.Activities.Add(new ProcessingActivity
        {
            Name = "fraud",
            Purpose = "Preventing fraud",
            LegalBasis = LegalBasis.LegitimateInterests,
            DataCategories = ["email domain", "year of birth", "city", "card number"],
            TokenScopes = ["card"],
            Fields =
            [
                new() { Path = "/email", View = FieldView.EmailDomain },
                new() { Path = "/birthdate", View = FieldView.Year },
                new() { Path = "/address/city" },
            ],
        });
    }

    /// <summary>The host's transform: the first word of a name, for "Dear Alice".</summary>
    public static IDatabunkerBuilder AddTransforms(IDatabunkerBuilder builder) =>
        builder.AddFieldTransform("first-name", value => value.ValueKind == JsonValueKind.String
            ? JsonSerializer.SerializeToElement(value.GetString()!.Split(' ')[0])
            : null);

    /// <summary>A customer with every field the catalogue knows of.</summary>
    public static JsonElement Customer(string email = "alice@mail.example") => Support.TestData.Parse($$"""
        {
          "email": "{{email}}",
          "login": "alice",
          "name": "Alice Example",
          "phone": "+44 20 7946 0958",
          "birthdate": "1990-05-17",
          "address": { "street": "1 High Street", "city": "Leeds", "postcode": "LS1 1AA" }
        }
        """);
}
