using System.Text;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Vault;

/// <summary>Whoever copies the database files, or reads the logs, learns no personal data.</summary>
public sealed class LeakageTests
{
    [Test]
    public async Task ThousandPersons_DatabaseWalLogsAndErrors_HoldNoPlaintext()
    {
        const int count = 1000;
        await using var host = await VaultHost.StartAsync();
        var vault = host.Vault;
        var errors = new List<string>();

        var tokens = await vault.CreatePersonsAsync(Enumerable.Range(0, count / 2).Select(Person));
        for (var i = count / 2; i < count; i++)
        {
            await vault.CreatePersonAsync(Person(i));
        }

        for (var i = 0; i < count; i += 10)
        {
            await vault.GetPersonAsync(PersonLookup.ByEmail($"person{i:D5}@mail-{i % 7}.example"));
            await vault.UpdatePersonAsync(PersonLookup.ByLogin($"login-{i:D5}-zq"), Json(new { note = $"Given{i:D5} Family" }));
            await Capture(errors, () => vault.CreatePersonAsync(Person(i)));
            await Capture(errors, () => vault.UpdatePersonAsync(PersonLookup.ByToken(tokens[1]), Json(new { email = $"person{i:D5}@mail-{i % 7}.example" })));
            await Capture(errors, () => vault.CreatePersonAsync(Json(new { email = $"Given{i:D5} Family" })));
            await Capture(errors, () => vault.CreatePersonAsync(Json(new { phone = $"Given{i:D5} Family" })));
        }

        var tokenizer = host.Services.GetRequiredService<Databunker.Core.Tokenization.ITokenizer>();
        var tokenized = await tokenizer.TokenizeManyAsync(Enumerable.Range(0, count).Select(NationalId));
        (await tokenizer.DetokenizeManyAsync(tokenized)).Should().Equal(Enumerable.Range(0, count).Select(NationalId));
        await Capture(errors, () => tokenizer.TokenizeAsync(NationalId(7), new Databunker.Core.Tokenization.TokenizeOptions { Format = Databunker.Core.Tokenization.TokenFormat.CardNumber }));
        await vault.ForgetPersonAsync(PersonLookup.ByToken(tokens[3]));
        await host.Expirations.StartAsync(PersonLookup.ByToken(tokens[4]), TimeSpan.FromHours(1));

        var files = new[] { host.Database, host.Database + "-wal" }.Where(File.Exists).ToList();
        files.Should().HaveCount(2, "the WAL holds the recent writes and must be checked too");
        var bytes = files.Select(File.ReadAllBytes).ToList();
        var text = string.Join("\n", host.Logs.Lines) + "\n" + string.Join("\n", errors);
        errors.Should().HaveCount(4 * (count / 10) + 1);
        host.Logs.Lines.Should().NotBeEmpty();

        for (var i = 0; i < count; i++)
        {
            foreach (var secret in SecretsOf(i))
            {
                var utf8 = Encoding.UTF8.GetBytes(secret);
                var utf16 = Encoding.Unicode.GetBytes(secret);
                foreach (var file in bytes)
                {
                    file.AsSpan().IndexOf(utf8).Should().Be(-1, $"person {i}'s value is not on disk in UTF-8");
                    file.AsSpan().IndexOf(utf16).Should().Be(-1, $"person {i}'s value is not on disk in UTF-16");
                }

                text.Contains(secret, StringComparison.OrdinalIgnoreCase).Should().BeFalse($"person {i}'s value is in no log line or error");
            }
        }
    }

    [Test]
    public async Task AppDataSessionsAndShares_DatabaseWalLogsAndErrors_HoldNoPlaintext()
    {
        const int count = 200;
        await using var host = await VaultHost.StartAsync(o => o.AppData.Register("shop", maxDocumentBytes: 512));
        var appData = host.Services.GetRequiredService<Databunker.Core.AppData.IAppDataManager>();
        var sessions = host.Services.GetRequiredService<Databunker.Core.Sessions.ISessionManager>();
        var shares = host.Services.GetRequiredService<Databunker.Core.Shares.IShareLinkManager>();
        var errors = new List<string>();
        var secrets = new List<string>();
        for (var i = 0; i < count; i++)
        {
            string Secret(string what)
            {
                var value = $"{what}-{i:D4}-qz";
                secrets.Add(value);
                return value;
            }

            var person = await host.Vault.CreatePersonAsync(Json(new { email = $"p{i}@leak.example", note = Secret("Note") }));
            await appData.PutAsync(person, "shop", Json(new { address = Secret("Street") }));
            await appData.PatchAsync(person, "shop", Json(new { size = Secret("Size") }), expectedVersion: 1);
            var ticket = await sessions.CreateAsync(Json(new { cart = Secret("Cart") }), new Databunker.Core.Sessions.SessionCreateOptions { Label = Secret("Device") });
            secrets.Add(ticket.SessionId);
            var bound = await sessions.BindToPersonAsync(ticket.SessionId, person);
            secrets.Add(bound.SessionId);
            await sessions.ReplaceAsync(bound.SessionId, Json(new { cart = Secret("Basket") }));
            var link = await shares.CreateAsync(person, new Databunker.Core.Shares.ShareRequest { Recipient = Secret("Recipient"), App = "shop", Fields = ["/address"], MaxReads = 1 });
            secrets.Add(link.Token);
            await shares.RedeemAsync(link.Token);

            // Bad input and refused calls, with the values in them: none may reach an exception text or a log.
            await Capture(errors, () => appData.PutAsync(person, "shop", Json(new { address = Secret("Oversized"), pad = new string('x', 600) })));
            await Capture(errors, () => appData.PutAsync(person, "shop", Json(new { address = Secret("Stale") }), expectedVersion: 1));
            await Capture(errors, () => appData.PutAsync(person, Secret("App"), Json(new { a = 1 })));
            await Capture(errors, () => sessions.ReplaceAsync(bound.SessionId[..^2] + "zz", Json(new { cart = Secret("Tampered") })));
            await Capture(errors, () => sessions.ReplaceAsync(bound.SessionId, Json(new { cart = Secret("Conflict") }), expectedVersion: 1));
            await Capture(errors, () => shares.CreateAsync(person, new Databunker.Core.Shares.ShareRequest { Recipient = "R", Fields = ["/" + Secret("Pointer")] }));
            await Capture(errors, () => shares.CreateAsync(person, new Databunker.Core.Shares.ShareRequest { Recipient = Secret("Long") + new string('r', 300), Fields = ["/email"] }));
            (await shares.RedeemAsync(link.Token)).Status.Should().Be(Databunker.Core.Shares.ShareLinkStatus.Exhausted);
        }

        await host.Administration.FlushAuditAsync();
        var files = new[] { host.Database, host.Database + "-wal" }.Where(File.Exists).Select(File.ReadAllBytes).ToList();
        var text = string.Join("\n", host.Logs.Lines) + "\n" + string.Join("\n", errors);
        errors.Should().HaveCount(7 * count);
        foreach (var secret in secrets)
        {
            foreach (var file in files)
            {
                file.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)).Should().Be(-1, $"'{secret}' is not on disk");
            }

            text.Contains(secret, StringComparison.OrdinalIgnoreCase).Should().BeFalse($"'{secret}' is in no log line or error");
        }
    }

    [Test]
    public async Task ConsentsAndRequests_DatabaseWalLogsErrorsAndNotices_HoldNoPlaintext()
    {
        const int count = 60;
        var hooks = new Requests.RequestHooks { FanOutFailure = null };
        await using var host = await VaultHost.StartAsync(o => Privacy.SampleCatalog.Declare(o.Privacy), services: hooks.Register);
        await host.Services.GetRequiredService<Databunker.Core.Privacy.IPrivacyCatalog>().PublishAsync();
        var ledger = host.Services.GetRequiredService<Databunker.Core.Consent.IConsentLedger>();
        var requests = host.Services.GetRequiredService<Databunker.Core.Requests.IPrivacyRequestManager>();
        var errors = new List<string>();
        var secrets = new List<string>();
        var persons = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            string Secret(string what)
            {
                var value = $"{what}-{i:D4}-qz";
                secrets.Add(value);
                return value;
            }

            Databunker.Core.Consent.ConsentEvidence Evidence() => new() { Reference = Secret("Ref"), IpAddress = Secret("Ip"), UserAgent = Secret("Agent") };
            var grant = new Databunker.Core.Consent.ConsentRecord { Activity = "newsletter", Decision = Databunker.Core.Consent.ConsentDecision.Granted, Evidence = Evidence() };

            // Decisions before registration: half of the addresses register afterwards.
            var early = Secret("early") + "@leak.example";
            await ledger.RecordForContactAsync(PersonLookup.ByEmail(early), grant with { Evidence = Evidence() });
            var person = await host.Vault.CreatePersonAsync(Json(new { email = i % 2 == 0 ? early : $"p{i}@leak.example", name = Secret("Name") }));
            persons.Add(person);
            await ledger.RecordAsync(person, grant);

            // Requests of every kind, with changes, reasons and codes.
            var fix = await requests.SubmitAsync(new Databunker.Core.Requests.PrivacyRequestSubmission
            {
                Person = person, Type = Databunker.Core.Requests.PrivacyRequestType.Rectification, Change = Json(new { name = Secret("Fixed") }),
            });
            secrets.Add(hooks.LastCode);
            await requests.VerifyAsync(fix.Id, hooks.LastCode);
            await requests.ExtendAsync(fix.Id, Secret("Extension"));
            await requests.RejectAsync(fix.Id, "dpo", Secret("Reason"));
            var withdrawal = await requests.SubmitAsync(new Databunker.Core.Requests.PrivacyRequestSubmission
            {
                Person = person, Type = Databunker.Core.Requests.PrivacyRequestType.ConsentWithdrawal, Activity = "newsletter", IdentityVerified = true,
            });
            hooks.FanOutFailure = i % 3 == 0 ? new InvalidOperationException("The CRM refused " + Secret("CrmError")) : null;
            await requests.ApproveAsync(withdrawal.Id, new Databunker.Core.Requests.PrivacyRequestApproval { Approver = "dpo" });
            var cancelled = await requests.SubmitAsync(new Databunker.Core.Requests.PrivacyRequestSubmission { Person = person, Type = Databunker.Core.Requests.PrivacyRequestType.Access });
            secrets.Add(hooks.LastCode);
            await requests.CancelAsync(cancelled.Id, Secret("Cancel"));
            if (i % 4 == 0)
            {
                var erasure = await requests.SubmitAsync(new Databunker.Core.Requests.PrivacyRequestSubmission { Person = person, Type = Databunker.Core.Requests.PrivacyRequestType.Erasure, IdentityVerified = true });
                hooks.FanOutFailure = null;
                await requests.ApproveAsync(erasure.Id, new Databunker.Core.Requests.PrivacyRequestApproval { Approver = "dpo" });
            }

            // Refused calls carrying the values: none may reach an exception text or a log.
            await Capture(errors, () => ledger.RecordAsync(person, grant with { Source = Secret("Source") + new string('s', 300) }));
            await Capture(errors, () => ledger.RecordAsync(person, grant with { Activity = Secret("Activity") }));
            await Capture(errors, () => ledger.RecordForContactAsync(PersonLookup.ByEmail(Secret("not an address")), grant));
            await Capture(errors, () => requests.SubmitAsync(new Databunker.Core.Requests.PrivacyRequestSubmission
            {
                Person = person, Type = Databunker.Core.Requests.PrivacyRequestType.Rectification, Change = Json(Secret("NotAnObject")),
            }));
            await Capture(errors, () => requests.SubmitAsync(new Databunker.Core.Requests.PrivacyRequestSubmission
            {
                Person = person, Type = Databunker.Core.Requests.PrivacyRequestType.Objection, Activity = Secret("Objection"),
            }));
            await Capture(errors, () => requests.RejectAsync(cancelled.Id, "dpo", Secret("Late")));
            await Capture(errors, () => requests.CancelAsync(fix.Id, Secret("Again") + new string('c', 2000)));
        }

        hooks.Codes.Should().NotBeEmpty();
        host.Time.Advance(TimeSpan.FromDays(100));
        await host.Administration.RunDueWorkAsync();
        await host.Administration.FlushAuditAsync();

        var files = new[] { host.Database, host.Database + "-wal" }.Where(File.Exists).Select(File.ReadAllBytes).ToList();
        var notices = string.Join("\n", hooks.Notices.Select(n => n.ToString()));
        var text = string.Join("\n", host.Logs.Lines) + "\n" + string.Join("\n", errors) + "\n" + notices;
        errors.Should().HaveCount(7 * count);
        hooks.Notices.Select(n => n.Event).Should().Contain([Databunker.Core.Requests.PrivacyRequestEvent.Received, Databunker.Core.Requests.PrivacyRequestEvent.Overdue]);
        foreach (var secret in secrets)
        {
            foreach (var file in files)
            {
                file.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)).Should().Be(-1, $"'{secret}' is not on disk");
            }

            text.Contains(secret, StringComparison.OrdinalIgnoreCase).Should().BeFalse($"'{secret}' is in no log line, error or notice");
        }

        foreach (var person in persons)
        {
            notices.Contains(person.ToString(), StringComparison.OrdinalIgnoreCase).Should().BeFalse("a notice names no person, not even by token");
        }
    }

    private static async Task Capture(List<string> errors, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            errors.Add(ex.ToString());
        }
    }
}
