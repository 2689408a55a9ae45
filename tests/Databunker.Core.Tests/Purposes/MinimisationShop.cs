using Databunker.Core.Privacy;

namespace Databunker.Core.Tests.Purposes;

/// <summary>
/// The shop of docs/minimisation.md, declared exactly as the page shows it: an account, delivery, a newsletter on
/// consent and fraud prevention, each with the fields it uses, how it sees them and how long it keeps them. Its
/// retention notice is checked in as docs/privacy/minimisation-retention-notice.md.
/// </summary>
public static class MinimisationShop
{
    public const string NewsletterText = "We will email you our newsletter, at most once a week. Unsubscribe at any time.";

    public static void Declare(PrivacyCatalogOptions catalog)
    {
        catalog.Controller = "Example Shop Ltd, 1 High Street, Leeds LS1 1AA; privacy@shop.example";
        catalog.RequirePurpose = true;
        catalog.CollectionLimit = CollectionLimit.Refuse;
        catalog.Notices.Add(new PrivacyNotice { Name = "newsletter", Text = NewsletterText });
        catalog.Activities.Add(new ProcessingActivity
        {
            Name = "account",
            Purpose = "Keeping your customer account",
            LegalBasis = LegalBasis.Contract,
            DataCategories = ["email address", "user name"],
            RetentionDescription = "until you close your account",
            Fields = [new() { Path = "/email" }, new() { Path = "/login" }],
        });
        catalog.Activities.Add(new ProcessingActivity
        {
            Name = "delivery",
            Purpose = "Delivering your orders",
            LegalBasis = LegalBasis.Contract,
            DataCategories = ["name", "delivery address", "phone number"],
            RetentionDescription = "30 days after your last delivery",
            Fields =
            [
                new() { Path = "/name" },
                new() { Path = "/address", Retention = TimeSpan.FromDays(30), RetentionFrom = RetentionEvent.LastUse },
                new() { Path = "/phone", View = FieldView.LastFour, Retention = TimeSpan.FromDays(7), RetentionFrom = RetentionEvent.ContractEnd },
            ],
        });
        catalog.Activities.Add(new ProcessingActivity
        {
            Name = "newsletter",
            Purpose = "Sending you our newsletter",
            LegalBasis = LegalBasis.Consent,
            Notice = "newsletter",
            DataCategories = ["email address", "nickname", "topics"],
            RetentionDescription = "until you unsubscribe",
            Fields = [new() { Path = "/email" }, new() { Path = "/nickname" }, new() { Path = "/topics" }],
        });
        catalog.Activities.Add(new ProcessingActivity
        {
            Name = "fraud",
            Purpose = "Preventing fraud",
            LegalBasis = LegalBasis.LegitimateInterests,
            LegalBasisDetail = "keeping stolen cards out of our shop",
            DataCategories = ["email domain", "year of birth"],
            Retention = TimeSpan.FromDays(365),
            Fields =
            [
                new() { Path = "/email", View = FieldView.EmailDomain },
                new() { Path = "/birthdate", View = FieldView.Year, Retention = TimeSpan.FromDays(365) },
            ],
            TokenScopes = ["card"],
        });
    }
}
