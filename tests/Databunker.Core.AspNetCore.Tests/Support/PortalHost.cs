using System.Collections.Concurrent;
using Databunker.Core.AppData;
using Databunker.Core.Privacy;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.AspNetCore.Tests.Support;

/// <summary>A host with the privacy portal, signing people in by a code that this test "mailbox" captures.</summary>
public sealed class PortalMailbox : IPortalCodeSender
{
    public ConcurrentDictionary<Guid, string> Codes { get; } = new();

    public Task SendCodeAsync(Guid person, string code, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        Codes[person] = code;
        return Task.CompletedTask;
    }

    public static async Task<(LinkHost Host, PortalMailbox Mailbox)> StartAsync(bool deleteImmediately = false)
    {
        var mailbox = new PortalMailbox();
        var host = await LinkHost.StartAsync(
            configure: b => b.Services.AddSingleton<IPortalCodeSender>(mailbox),
            options: o =>
            {
                o.AppData.Register("shop");
                o.Privacy.Controller = "Example Shop Ltd";
                o.Privacy.Notices.Add(new PrivacyNotice { Name = "newsletter", Text = "Our weekly newsletter about new products." });
                o.Privacy.Activities.Add(new ProcessingActivity
                {
                    Name = "newsletter", Purpose = "Sending the weekly newsletter", LegalBasis = LegalBasis.Consent, Notice = "newsletter",
                    SubjectCategories = ["subscribers"], DataCategories = ["email address"], RetentionDescription = "until consent is withdrawn",
                });
            },
            map: app => app.MapDatabunkerPrivacyPortal(configure: o => o.DeleteImmediately = deleteImmediately));
        await host.App.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
        return (host, mailbox);
    }
}
