using Databunker.Core.Consent;
using Databunker.Core.Privacy;
using Databunker.Core.Tests.Privacy;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Consent;

/// <summary>A consent recorded before the host published its catalogue: a clear error, logged, not a bad-input refusal.</summary>
public sealed class ConsentCatalogTests
{
    [Test]
    public async Task RecordAsync_BeforeTheCatalogIsPublished_FailsWithAnErrorThatSaysSo_AndLogsIt()
    {
        await using var host = await VaultHost.StartAsync(o => SampleCatalog.Declare(o.Privacy));
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "unpublished@example.com" }));
        var ledger = host.Services.GetRequiredService<IConsentLedger>();
        var grant = new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted };

        var refused = await FluentActions.Awaiting(() => ledger.RecordAsync(person, grant)).Should().ThrowAsync<VaultConfigurationException>();

        refused.Which.Message.Should().Contain("not published").And.Contain("PublishAsync");
        host.Logs.Lines.Should().Contain(l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("not published", StringComparison.Ordinal));
        await host.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
        (await ledger.RecordAsync(person, grant)).Decision.Should().Be(ConsentDecision.Granted);
    }

    [Test]
    public async Task RecordAsync_NamingANoticeVersionThatWasNeverPublished_IsStillABadInput()
    {
        await using var host = await VaultHost.StartAsync(o => SampleCatalog.Declare(o.Privacy));
        await host.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "version@example.com" }));

        await FluentActions.Awaiting(() => host.Services.GetRequiredService<IConsentLedger>().RecordAsync(
            person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, NoticeVersion = 7 })).Should().ThrowAsync<VaultInputException>();
    }
}
