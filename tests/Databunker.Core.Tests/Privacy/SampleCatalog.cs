using Databunker.Core.Privacy;

namespace Databunker.Core.Tests.Privacy;

/// <summary>The sample catalogue whose record of processing and retention notice are checked in under <c>docs/privacy/</c>.</summary>
public static class SampleCatalog
{
    public const string NewsletterText = "We will email you our newsletter about new products, at most once a week. You can unsubscribe at any time, from any newsletter or your account page.";

    public static void Declare(PrivacyCatalogOptions catalog, string newsletterText = NewsletterText)
    {
        catalog.Controller = "Example Shop Ltd, 1 High Street, Leeds LS1 1AA, United Kingdom; privacy@shop.example";
        catalog.DataProtectionOfficer = "Data Protection Officer, dpo@shop.example";
        catalog.Notices.Add(new PrivacyNotice { Name = "newsletter", Text = newsletterText });
        catalog.Activities.Add(new ProcessingActivity
        {
            Name = "orders",
            Purpose = "Taking, delivering and invoicing orders",
            LegalBasis = LegalBasis.Contract,
            LegalBasisDetail = "the sales contract",
            SubjectCategories = ["customers"],
            DataCategories = ["contact details", "delivery address", "order history", "payment reference"],
            Recipients = ["payment provider", "couriers", "tax authority"],
            Retention = TimeSpan.FromDays(6 * 365),
            RetentionDescription = "after the last order, as tax law requires",
            SecurityMeasures = ["encryption at rest under per-person keys", "access on a need-to-know basis", "audit trail"],
        });
        catalog.Activities.Add(new ProcessingActivity
        {
            Name = "newsletter",
            Purpose = "Sending the newsletter to those who asked for it",
            LegalBasis = LegalBasis.Consent,
            SubjectCategories = ["subscribers"],
            DataCategories = ["email address"],
            Recipients = ["email delivery service"],
            RetentionDescription = "until consent is withdrawn",
            SecurityMeasures = ["encryption at rest under per-person keys"],
            Notice = "newsletter",
        });
        catalog.Activities.Add(new ProcessingActivity
        {
            Name = "fraud-prevention",
            Purpose = "Detecting and preventing payment fraud",
            LegalBasis = LegalBasis.LegitimateInterests,
            LegalBasisDetail = "protecting customers and the shop from payment fraud",
            SubjectCategories = ["customers"],
            DataCategories = ["IP address", "device data", "order history"],
            Recipients = ["fraud-screening service"],
            Transfers = [new ThirdCountryTransfer("United States", "EU-US Data Privacy Framework adequacy decision")],
            Retention = TimeSpan.FromDays(90),
            SecurityMeasures = ["pseudonymisation", "encryption in transit"],
        });
    }
}
