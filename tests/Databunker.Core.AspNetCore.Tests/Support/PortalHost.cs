using System.Collections.Concurrent;
using Databunker.Core.AppData;
using Databunker.Core.Privacy;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.AspNetCore.Tests.Support;

/// <summary>A host with the privacy portal, signing people in by a code that this test "mailbox" captures.</summary>
public sealed class PortalMailbox : IPortalCodeSender
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<string>> _sent = new();

    /// <summary>The codes sent so far, by person.</summary>
    public ConcurrentDictionary<Guid, string> Codes { get; } = new();

    /// <summary>While set, a send waits for it: the test decides when the mail "goes out".</summary>
    public TaskCompletionSource? Gate { get; set; }

    public async Task SendCodeAsync(Guid person, string code, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        Codes[person] = code;
        _sent.AddOrUpdate(person, _ => Completed(code), (_, earlier) => earlier.TrySetResult(code) ? earlier : Completed(code));
    }

    /// <summary>
    /// The code sent to <paramref name="person"/>, once it is sent: codes go out after the request that asked for them.
    /// Each call takes one code: the next call waits for the next mail, so that a second sign-in never reads the first's.
    /// </summary>
    public async Task<string> CodeAsync(Guid person)
    {
        var sent = Sent(person);
        var code = await sent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _sent.TryRemove(new KeyValuePair<Guid, TaskCompletionSource<string>>(person, sent));
        return code;
    }

    public static async Task<(LinkHost Host, PortalMailbox Mailbox)> StartAsync(
        bool deleteImmediately = false, Action<PrivacyPortalOptions>? portal = null, Action<DatabunkerPageOptions>? pages = null,
        Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var mailbox = new PortalMailbox();
        var host = await LinkHost.StartAsync(
            configure: b =>
            {
                b.Services.AddSingleton<IPortalCodeSender>(mailbox);
                if (pages is not null)
                {
                    b.Services.Configure(pages);
                }

                configure?.Invoke(b);
            },
            options: o =>
            {
                o.AppData.Register("shop").Register("signin");
                o.Privacy.Controller = "Example Shop Ltd";
                o.Privacy.Notices.Add(new PrivacyNotice { Name = "newsletter", Text = "Our weekly newsletter about new products." });
                o.Privacy.Activities.Add(new ProcessingActivity
                {
                    Name = "newsletter", Purpose = "Sending the weekly newsletter", LegalBasis = LegalBasis.Consent, Notice = "newsletter",
                    SubjectCategories = ["subscribers"], DataCategories = ["email address"], RetentionDescription = "until consent is withdrawn",
                });
            },
            map: app =>
            {
                app.MapDatabunkerPrivacyPortal(configure: o =>
                {
                    o.DeleteImmediately = deleteImmediately;
                    portal?.Invoke(o);
                });
                map?.Invoke(app);
            });
        await host.App.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
        return (host, mailbox);
    }

    private static TaskCompletionSource<string> Completed(string code)
    {
        var sent = new TaskCompletionSource<string>();
        sent.SetResult(code);
        return sent;
    }

    private TaskCompletionSource<string> Sent(Guid person) => _sent.GetOrAdd(person, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
}
