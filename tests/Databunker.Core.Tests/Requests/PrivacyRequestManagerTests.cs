using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Databunker.Core.Consent;
using Databunker.Core.Privacy;
using Databunker.Core.Requests;
using Databunker.Core.Tests.Privacy;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Requests;

[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class PrivacyRequestManagerTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);
    private RequestHooks _hooks = new();

    [SetUp]
    public void NewHooks() => _hooks = new RequestHooks();

    [Test]
    public async Task AnErasure_GoesFromReceivedThroughVerificationAndApproval_ToAForgottenPerson_AndTheRecordStays()
    {
        await using var host = await StartAsync();
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "erase.me@example.com", name = "Erin Erasure" }));

        var submitted = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Erasure });
        submitted.State.Should().Be(PrivacyRequestState.Received);
        var code = _hooks.Codes.Single();
        (code.Request, code.Person, code.Code.Length).Should().Be((submitted.Id, person, 8));
        _hooks.Notices.Single().Should().Be(new PrivacyRequestNotice(PrivacyRequestEvent.Received, submitted.Id, PrivacyRequestType.Erasure, PrivacyRegime.Gdpr, PrivacyRequestState.Received, submitted.DueAt));
        await FluentActions.Awaiting(() => requests.ApproveAsync(submitted.Id, new PrivacyRequestApproval { Approver = "dpo.anna" }))
            .Should().ThrowAsync<PrivacyRequestStateException>("an unverified request cannot be approved");

        (await requests.VerifyAsync(submitted.Id, Wrong(code.Code))).Should().Be(PrivacyRequestVerification.WrongCode);
        (await requests.VerifyAsync(submitted.Id, code.Code)).Should().Be(PrivacyRequestVerification.Verified);
        (await requests.VerifyAsync(submitted.Id, code.Code)).Should().Be(PrivacyRequestVerification.NotPending);
        (await requests.GetAsync(submitted.Id))!.State.Should().Be(PrivacyRequestState.AwaitingApproval);

        var done = await requests.ApproveAsync(submitted.Id, new PrivacyRequestApproval { Approver = "dpo.anna" });

        (done.State, done.Outcome, done.DecidedBy, done.ClosedAt).Should().Be((PrivacyRequestState.Completed, "carried-out", "dpo.anna", (DateTimeOffset?)host.Time.GetUtcNow()));
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(person))).Should().BeNull("the erasure forgot the person");
        _hooks.CarriedOut.Single().Should().BeEquivalentTo(new CarriedOutPrivacyRequest(submitted.Id, person, PrivacyRequestType.Erasure, null, null));
        var record = await requests.GetAsync(submitted.Id);
        (record!.Type, record.State, record.ReceivedAt, record.DueAt, record.Outcome).Should().Be(
            (PrivacyRequestType.Erasure, PrivacyRequestState.Completed, submitted.ReceivedAt, submitted.DueAt, "carried-out"), "the request's record outlives the person");
        (await host.Vault.GetAuditEventsAsync(person)).Select(e => e.Operation).Where(o => o.StartsWith("request.", StringComparison.Ordinal)).Should().Equal(
            AuditOperations.RequestSubmit, AuditOperations.RequestVerify, AuditOperations.RequestVerify, AuditOperations.RequestApprove, AuditOperations.RequestComplete);
    }

    [Test]
    public async Task ARectification_IsSealedUntilApproved_ThenPatchesTheProfile_AndARefusedChangeFails()
    {
        await using var host = await StartAsync();
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "rect@example.com", name = "Rita Wrong" }));
        await host.Vault.CreatePersonAsync(Json(new { email = "taken@example.com" }));

        var fix = await requests.SubmitAsync(new PrivacyRequestSubmission
        {
            Person = person, Type = PrivacyRequestType.Rectification, IdentityVerified = true, Change = Json(new { name = "Rita Righted" }),
        });
        var clash = await requests.SubmitAsync(new PrivacyRequestSubmission
        {
            Person = person, Type = PrivacyRequestType.Rectification, IdentityVerified = true, Change = Json(new { email = "taken@example.com" }),
        });

        _hooks.Codes.Should().BeEmpty("the host verified the person itself");
        (fix.State, fix.VerifiedAt).Should().Be((PrivacyRequestState.AwaitingApproval, (DateTimeOffset?)host.Time.GetUtcNow()));
        host.Holds(Encoding.UTF8.GetBytes("Rita Righted")).Should().BeFalse("the proposed change is sealed under the person's key");
        (await requests.GetAsync(fix.Id))!.Change!.Value.GetProperty("name").GetString().Should().Be("Rita Righted");

        (await requests.ApproveAsync(fix.Id, new PrivacyRequestApproval { Approver = "dpo" })).State.Should().Be(PrivacyRequestState.Completed);
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(person)))!.Profile.GetProperty("name").GetString().Should().Be("Rita Righted");

        var refused = await requests.ApproveAsync(clash.Id, new PrivacyRequestApproval { Approver = "dpo" });
        (refused.State, refused.Outcome).Should().Be((PrivacyRequestState.Failed, "change-refused"), "the change is checked against the data as it is at approval");
        (await requests.RejectAsync(clash.Id, "dpo", "The address belongs to another account.")).Reason.Should().Be("The address belongs to another account.");
    }

    [Test]
    public async Task AnAccessRequest_WritesTheExport_AndNeedsADestination()
    {
        await using var host = await StartAsync();
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "access@example.com" }));
        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Access, IdentityVerified = true });

        await FluentActions.Awaiting(() => requests.ApproveAsync(request.Id, new PrivacyRequestApproval { Approver = "dpo" })).Should().ThrowAsync<VaultInputException>();
        using var destination = new MemoryStream();
        (await requests.ApproveAsync(request.Id, new PrivacyRequestApproval { Approver = "dpo", Destination = destination })).State.Should().Be(PrivacyRequestState.Completed);

        using var export = JsonDocument.Parse(destination.ToArray());
        export.RootElement.GetProperty("profile").GetProperty("data").GetProperty("email").GetString().Should().Be("access@example.com");
        var listed = export.RootElement.GetProperty("requests").EnumerateArray().Single();
        (listed.GetProperty("id").GetGuid(), listed.GetProperty("type").GetString(), listed.GetProperty("state").GetString()).Should().Be((request.Id, "access", "inProgress"));
    }

    [Test]
    public async Task TwoDposApprovingAtOnce_CarryItOutOnce()
    {
        await using var host = await StartAsync();
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "twice@example.com" }));
        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Erasure, IdentityVerified = true });

        var results = await StartTogether.RunAsync(2, async i =>
        {
            try
            {
                return (await requests.ApproveAsync(request.Id, new PrivacyRequestApproval { Approver = "dpo-" + i })).State.ToString();
            }
            catch (PrivacyRequestStateException ex)
            {
                return "refused: " + ex.State;
            }
        });

        results.Should().ContainSingle(r => r == "Completed");
        results.Should().ContainSingle(r => r.StartsWith("refused", StringComparison.Ordinal));
        _hooks.CarriedOut.Should().ContainSingle();
        (await host.Vault.GetAuditEventsAsync(person)).Count(e => e.Operation == AuditOperations.RequestApprove).Should().Be(1);
        (await host.Vault.GetAuditEventsAsync(person)).Count(e => e.Operation == AuditOperations.PersonForget).Should().Be(1);
    }

    [Test]
    public async Task TheCode_IsHashed_SpentByWrongGuesses_TimeLimited_AndResentAFewTimesOnly()
    {
        await using var host = await StartAsync();
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "guess@example.com" }));
        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Portability, Regime = PrivacyRegime.Ccpa });
        var code = _hooks.LastCode;
        host.Holds(Encoding.ASCII.GetBytes(code)).Should().BeFalse("only a keyed hash of the code is stored");

        for (var i = 0; i < 5; i++)
        {
            (await requests.VerifyAsync(request.Id, Wrong(code))).Should().Be(PrivacyRequestVerification.WrongCode);
        }

        (await requests.VerifyAsync(request.Id, code)).Should().Be(PrivacyRequestVerification.CodeExpired, "five wrong guesses spend the code");

        await requests.ResendCodeAsync(request.Id);
        host.Time.Advance(TimeSpan.FromMinutes(30));
        (await requests.VerifyAsync(request.Id, _hooks.LastCode)).Should().Be(PrivacyRequestVerification.CodeExpired, "a code lives 30 minutes");

        for (var sent = 2; sent < 5; sent++)
        {
            await requests.ResendCodeAsync(request.Id);
        }

        await FluentActions.Awaiting(() => requests.ResendCodeAsync(request.Id)).Should().ThrowAsync<PrivacyRequestStateException>("five codes is the most");
        (await requests.VerifyAsync(request.Id, _hooks.LastCode)).Should().Be(PrivacyRequestVerification.Verified);
        _hooks.Codes.Select(c => c.Code).Should().OnlyHaveUniqueItems().And.HaveCount(5);
        (await host.Vault.GetAuditEventsAsync(person)).Count(e => e.Operation == AuditOperations.RequestVerify && e.Outcome == AuditOutcomes.Refused).Should().Be(5);
    }

    [Test]
    public async Task AnUnverifiedRequest_ExpiresWhenTheWindowEnds_NotBefore()
    {
        await using var host = await StartAsync();
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "silent@example.com" }));
        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Access });

        host.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromTicks(1));
        (await host.Administration.RunDueWorkAsync())["requests"].Should().Be(0);
        host.Time.Advance(TimeSpan.FromTicks(1));
        (await host.Administration.RunDueWorkAsync())["requests"].Should().Be(1);

        var expired = await requests.GetAsync(request.Id);
        (expired!.State, expired.Outcome, expired.IsClosed).Should().Be((PrivacyRequestState.Expired, "unverified", true));
        (await requests.VerifyAsync(request.Id, _hooks.LastCode)).Should().Be(PrivacyRequestVerification.NotPending);
    }

    [Test]
    public async Task RejectionAndCancellation_TakeAReason_CloseTheRequest_AndAreRefusedOnceClosed()
    {
        await using var host = await StartAsync();
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "reasons@example.com" }));
        var first = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Objection, Activity = "fraud-prevention", IdentityVerified = true });
        var second = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Restriction, IdentityVerified = true });

        var rejected = await requests.RejectAsync(first.Id, "dpo.ben", "Compelling legitimate grounds: fraud screening of open orders.");
        var cancelled = await requests.CancelAsync(second.Id, "The person withdrew the request by phone.");

        (rejected.State, rejected.DecidedBy, rejected.Outcome).Should().Be((PrivacyRequestState.Rejected, "dpo.ben", "rejected"));
        (await requests.GetAsync(second.Id))!.Reason.Should().Be("The person withdrew the request by phone.");
        cancelled.IsClosed.Should().BeTrue();
        await FluentActions.Awaiting(() => requests.ApproveAsync(first.Id, new PrivacyRequestApproval { Approver = "dpo" })).Should().ThrowAsync<PrivacyRequestStateException>();
        await FluentActions.Awaiting(() => requests.CancelAsync(first.Id, "late")).Should().ThrowAsync<PrivacyRequestStateException>();
        await FluentActions.Awaiting(() => requests.RejectAsync(second.Id, "dpo", " ".PadLeft(2001))).Should().ThrowAsync<VaultInputException>();
        host.Holds(Encoding.UTF8.GetBytes("withdrew the request by phone")).Should().BeFalse("reasons are sealed under the person's key");
        (await requests.ListAsync(new PrivacyRequestQuery())).Should().BeEmpty("nothing is open");
        (await requests.ListAsync(new PrivacyRequestQuery { States = [PrivacyRequestState.Rejected, PrivacyRequestState.Cancelled] })).Should().HaveCount(2);
    }

    [Test]
    public async Task AConsentWithdrawal_RecordsAWithdrawalInTheLedger()
    {
        await using var host = await StartAsync();
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var ledger = host.Services.GetRequiredService<IConsentLedger>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "withdraw@example.com" }));
        await ledger.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted });
        await FluentActions.Awaiting(() => requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.ConsentWithdrawal, Activity = "orders" }))
            .Should().ThrowAsync<VaultInputException>("orders rest on the contract");

        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.ConsentWithdrawal, Activity = "newsletter", IdentityVerified = true });
        (await requests.ApproveAsync(request.Id, new PrivacyRequestApproval { Approver = "dpo" })).Outcome.Should().Be("carried-out");

        (await ledger.IsAllowedAsync(person, "newsletter")).Should().BeFalse();
        (await ledger.GetHistoryAsync(person)).Last().Should().Match<ConsentEvent>(e => e.Decision == ConsentDecision.Withdrawn && e.Source == "privacy request");
    }

    [Test]
    public async Task ACarryingOutCutShort_IsFailedByThePassAfterTheTimeout_AndCanBeApprovedAgain()
    {
        await using var host = await StartAsync();
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "stuck@example.com" }));
        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Restriction, IdentityVerified = true });
        _hooks.FanOutGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var approving = requests.ApproveAsync(request.Id, new PrivacyRequestApproval { Approver = "dpo" });
        await _hooks.FanOutEntered.Task;
        host.Time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromTicks(1));
        (await host.Administration.RunDueWorkAsync())["requests"].Should().Be(0);
        host.Time.Advance(TimeSpan.FromTicks(1));
        (await host.Administration.RunDueWorkAsync())["requests"].Should().Be(1);
        _hooks.FanOutGate.SetResult();
        (await approving).State.Should().Be(PrivacyRequestState.Failed, "the pass's verdict stands");
        (await requests.GetAsync(request.Id))!.Outcome.Should().Be("interrupted");

        _hooks.FanOutGate = null;
        (await requests.ApproveAsync(request.Id, new PrivacyRequestApproval { Approver = "dpo" })).State.Should().Be(PrivacyRequestState.Completed);
        _hooks.FanOutFailure = new InvalidOperationException("mail server down for erin@example.com");
        var other = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Restriction, IdentityVerified = true });
        (await requests.ApproveAsync(other.Id, new PrivacyRequestApproval { Approver = "dpo" })).Outcome.Should().Be("fan-out-failed");
        host.Logs.Lines.Should().NotContain(m => m.Contains("erin@example.com", StringComparison.Ordinal), "a host's exception is logged by its type only");
    }

    [Test]
    public async Task AClosedRequest_IsPurgedWhenItsRetentionEnds()
    {
        await using var host = await StartAsync();
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "purge@example.com" }));
        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Restriction, IdentityVerified = true });
        await requests.CancelAsync(request.Id, "duplicate");

        host.Time.Advance(TimeSpan.FromDays(730) - TimeSpan.FromTicks(1));
        await host.Administration.RunDueWorkAsync();
        (await requests.GetAsync(request.Id)).Should().NotBeNull();
        host.Time.Advance(TimeSpan.FromTicks(1));
        (await host.Administration.RunDueWorkAsync())["requests"].Should().Be(1);
        (await requests.GetAsync(request.Id)).Should().BeNull();
        (await host.Vault.GetAuditEventsAsync(person)).Should().Contain(e => e.Operation == AuditOperations.RequestPurge);
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase("\t\r\n\u00A0\u3000")]
    [TestCase(" \u200B\u2060 ")]
    public async Task ExtendAndReject_BlankReason_AreRefusedAndChangeNothing(string? reason)
    {
        await using var host = await StartAsync();
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "blank.reason@example.com" }));
        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Access, IdentityVerified = true });

        (await FluentActions.Awaiting(() => requests.ExtendAsync(request.Id, reason!)).Should().ThrowAsync<ArgumentException>())
            .Which.ParamName.Should().Be("reason");
        (await FluentActions.Awaiting(() => requests.RejectAsync(request.Id, "dpo", reason!)).Should().ThrowAsync<ArgumentException>())
            .Which.Message.Should().Contain("blank", "a reason the person must be told cannot be empty space");

        var unchanged = await requests.GetAsync(request.Id);
        (unchanged!.IsExtended, unchanged.IsClosed, unchanged.DueAt).Should().Be((false, false, request.DueAt));
    }

    [Test]
    public async Task AForget_RemovesTheChangeAndReasons_ButKeepsTheRecord()
    {
        await using var host = await StartAsync();
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "record@example.com" }));
        var request = await requests.SubmitAsync(new PrivacyRequestSubmission
        {
            Person = person, Type = PrivacyRequestType.Rectification, IdentityVerified = true, Change = Json(new { name = "Secret Name" }),
        });
        await requests.ExtendAsync(request.Id, "Complex: records held in three systems.");

        await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(person));

        var kept = (await requests.ListForPersonAsync(person)).Single();
        (kept.Type, kept.IsExtended, kept.Change, kept.ExtensionReason).Should().Be((PrivacyRequestType.Rectification, true, (JsonElement?)null, (string?)null));
        host.Scalar<long>("SELECT COUNT(*) FROM privacy_requests WHERE sealed IS NOT NULL").Should().Be(0);
        var ended = await requests.ApproveAsync(request.Id, new PrivacyRequestApproval { Approver = "dpo" });
        (ended.State, ended.Outcome).Should().Be((PrivacyRequestState.Cancelled, "person-forgotten"), "approval checks the data again");
    }

    private static string Wrong(string code) => code == "00000000" ? "00000001" : "00000000";

    [Test]
    public async Task EveryNotifier_HearsOfAnExtension_ThoughAnEarlierOneThrowsACancellation()
    {
        var broken = new BrokenNotifier();
        var host = await VaultHost.StartAsync(o => SampleCatalog.Declare(o.Privacy), store: _store, services: s =>
        {
            s.AddSingleton<IPrivacyRequestNotifier>(broken);
            _hooks.Register(s);
        });
        await using var _ = host;
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "slow.answer@example.com" }));
        using var caller = new CancellationTokenSource();
        var submitted = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Access, IdentityVerified = true }, caller.Token);

        var extended = await requests.ExtendAsync(submitted.Id, "The request covers many systems.", caller.Token);

        broken.Calls.Should().Be(2, "the first notifier was asked both times, and threw; the extension stands");
        broken.GotACancellableToken.Should().BeFalse("the change is stored: a caller who goes away must not cut its notices short");
        _hooks.Notices.Should().Equal(
            new PrivacyRequestNotice(PrivacyRequestEvent.Received, submitted.Id, PrivacyRequestType.Access, PrivacyRegime.Gdpr, submitted.State, submitted.DueAt),
            new PrivacyRequestNotice(PrivacyRequestEvent.Extended, submitted.Id, PrivacyRequestType.Access, PrivacyRegime.Gdpr, extended.State, extended.DueAt));
        extended.DueAt.Should().BeAfter(submitted.DueAt);
    }

    [Test]
    public async Task ARequestVerifiedByItsCode_IsNotified_SoThatItsReceiptCanGo()
    {
        await using var host = await StartAsync();
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "verify.me@example.com" }));
        var submitted = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Access });

        (await requests.VerifyAsync(submitted.Id, Wrong(_hooks.LastCode))).Should().Be(PrivacyRequestVerification.WrongCode);
        _hooks.Notices.Should().ContainSingle("a wrong code changes nothing that counts");
        (await requests.VerifyAsync(submitted.Id, _hooks.LastCode)).Should().Be(PrivacyRequestVerification.Verified);

        var verified = await requests.GetAsync(submitted.Id);
        _hooks.Notices.Last().Should().Be(new PrivacyRequestNotice(PrivacyRequestEvent.Verified, submitted.Id, PrivacyRequestType.Access, PrivacyRegime.Gdpr, verified!.State, submitted.DueAt));
        _hooks.Notices.Should().HaveCount(2);
    }

    private sealed class BrokenNotifier : IPrivacyRequestNotifier
    {
        public int Calls { get; private set; }

        public bool GotACancellableToken { get; private set; }

        public Task NotifyAsync(PrivacyRequestNotice notice, CancellationToken cancellationToken)
        {
            Calls++;
            GotACancellableToken |= cancellationToken.CanBeCanceled;
            // A mail client's timeout: a cancellation the caller did not ask for.
            throw new TaskCanceledException("The DPO's mail server did not answer.");
        }
    }

    private async Task<VaultHost> StartAsync()
    {
        var host = await VaultHost.StartAsync(o => SampleCatalog.Declare(o.Privacy), store: _store, services: _hooks.Register);
        await host.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
        return host;
    }
}
