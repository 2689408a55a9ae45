using System.Globalization;
using System.Text;
using System.Text.Json;
using Databunker.Core.Privacy;

namespace Databunker.Core.Requests;

/// <summary>The data-subject requests: a state machine on one row per request, changed only by compare-and-set on its version.</summary>
internal sealed class PrivacyRequestManager(
    IPrivacyRequestStore store,
    IPrivacyCatalog catalog,
    VaultOpener opener,
    PersonDirectory persons,
    AuditTrail audit,
    IEnumerable<IRightStep> steps,
    IEnumerable<IPrivacyRequestFanOut> fanOuts,
    IOptions<DatabunkerOptions> options,
    TimeProvider time,
    IEnumerable<IPrivacyRequestNotifier> notifiers,
    IPrivacyRequestCodeSender? sender = null,
    ILogger<PrivacyRequestManager>? logger = null) : IPrivacyRequestManager
{
    private const int CodeDigits = 8;
    private const int MaxReasonLength = 2000;
    private const int MaxApproverLength = 200;
    private const int MaxWriteAttempts = 32;
    private const string CodeHashName = "request-code";

    private static readonly PrivacyRequestState[] Open =
        [PrivacyRequestState.Received, PrivacyRequestState.Verified, PrivacyRequestState.AwaitingApproval, PrivacyRequestState.InProgress, PrivacyRequestState.Failed];

    private readonly PrivacyRequestOptions _options = options.Value.Requests;
    private readonly int _maxChangeBytes = options.Value.MaxProfileBytes;
    private readonly PrivacyDeadlines _deadlines = new(TimeZoneInfo.FindSystemTimeZoneById(options.Value.Requests.TimeZone), options.Value.Requests.Holidays);
    private readonly IPrivacyRequestFanOut[] _fanOuts = [.. fanOuts];
    private readonly IPrivacyRequestNotifier[] _notifiers = [.. notifiers];
    // One step per right; AddDatabunker called twice registers each twice.
    private readonly Dictionary<string, IRightStep> _steps = steps.GroupBy(s => s.Right, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public async Task<PrivacyRequest> SubmitAsync(PrivacyRequestSubmission submission, CancellationToken cancellationToken = default)
    {
        Check(submission);
        if (!submission.IdentityVerified && sender is null)
        {
            throw new InvalidOperationException(
                "A request whose identity the host has not verified needs a verification code: register an IPrivacyRequestCodeSender, or submit with IdentityVerified when the person is signed in.");
        }

        var (submitted, stored) = await CryptoGuard.RunAsync(_logger, AuditOperations.RequestSubmit, async () =>
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var dataKey = await persons.OpenDataKeyAsync(submission.Person, cancellationToken).ConfigureAwait(false);
            if (dataKey is null)
            {
                await audit.AppendAsync(AuditOperations.RequestSubmit, submission.Person, AuditOutcomes.NotFound, cancellationToken).ConfigureAwait(false);
                throw new PersonNotFoundException();
            }

            try
            {
                var now = time.GetUtcNow();
                var at = now.ToUnixTimeMilliseconds();
                var id = Guid.NewGuid();
                var parts = new SealedParts(submission.Change?.Clone(), null, null);
                var row = new PrivacyRequestRow
                {
                    Id = id,
                    Person = submission.Person,
                    Type = submission.Type,
                    Regime = submission.Regime,
                    State = submission.IdentityVerified ? StateAfterVerification(submission.Type) : PrivacyRequestState.Received,
                    Version = 1,
                    Activity = submission.Activity,
                    ReceivedAt = at,
                    AcknowledgeBy = _deadlines.AcknowledgeBy(submission.Regime, now)?.ToUnixTimeMilliseconds(),
                    AcknowledgedAt = at,
                    DueAt = _deadlines.DueAt(submission.Regime, now, extended: false).ToUnixTimeMilliseconds(),
                    VerifyBy = at + (long)_options.VerificationWindow.TotalMilliseconds,
                    VerifiedAt = submission.IdentityVerified ? at : null,
                    Sealed = parts.IsEmpty ? null : parts.Seal(dataKey, submission.Person, id),
                };

                if (!submission.IdentityVerified)
                {
                    // The code goes out before the request is stored: a failed send leaves nothing behind.
                    var code = NewCode();
                    row = row with { CodeHash = HashCode(lease.Keys, id, code), CodeExpiresAt = at + (long)_options.CodeLifetime.TotalMilliseconds, CodesSent = 1 };
                    await sender!.SendCodeAsync(new PrivacyRequestCode(id, row.Person, row.Type, code, DateTimeOffset.FromUnixTimeMilliseconds(row.CodeExpiresAt!.Value)), cancellationToken)
                        .ConfigureAwait(false);
                }

                row = row with { WakeAt = WakeAt(row) };
                await store.AddPrivacyRequestAsync(row, audit.NewEvent(AuditOperations.RequestSubmit, row.Person, AuditOutcomes.Success, at: at), cancellationToken).ConfigureAwait(false);
                return (View(row, parts), row);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        }).ConfigureAwait(false);

        // Told once the person's key is put away and the lease given back: a notifier may take a mail server's time.
        await NotifyAsync(PrivacyRequestEvent.Received, stored, CancellationToken.None).ConfigureAwait(false);
        return submitted;
    }

    public async Task<PrivacyRequestVerification> VerifyAsync(Guid request, string code, CancellationToken cancellationToken = default)
    {
        PrivacyRequestRow changed;
        PrivacyRequestVerification result;
        using (var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            var keys = lease.Keys;
            (changed, result) = await ChangeAsync(request, AuditOperations.RequestVerify, (row, now) =>
            {
                if (row.State != PrivacyRequestState.Received)
                {
                    return (null, PrivacyRequestVerification.NotPending, null);
                }

                if (row.CodeHash is null || row.CodeExpiresAt <= now)
                {
                    return (null, PrivacyRequestVerification.CodeExpired, null);
                }

                // Every attempt counts, a malformed one too; the comparison takes the same time whatever matches.
                var guess = HashCode(keys, row.Id, code ?? string.Empty);
                if (CryptographicOperations.FixedTimeEquals(guess, row.CodeHash))
                {
                    return (row with { State = StateAfterVerification(row.Type), VerifiedAt = now, CodeHash = null, CodeExpiresAt = null }, PrivacyRequestVerification.Verified, AuditOutcomes.Success);
                }

                var attempts = row.CodeAttempts + 1;
                return (row with { CodeAttempts = attempts, CodeHash = attempts >= _options.MaxCodeAttempts ? null : row.CodeHash }, PrivacyRequestVerification.WrongCode, AuditOutcomes.Refused);
            }, cancellationToken).ConfigureAwait(false);
        }

        if (result == PrivacyRequestVerification.Verified)
        {
            await NotifyAsync(PrivacyRequestEvent.Verified, changed, CancellationToken.None).ConfigureAwait(false);
        }

        return result;
    }

    public async Task<PrivacyRequest> ResendCodeAsync(Guid request, CancellationToken cancellationToken = default)
    {
        if (sender is null)
        {
            throw new InvalidOperationException("Sending a verification code needs an IPrivacyRequestCodeSender.");
        }

        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var keys = lease.Keys;
        var code = NewCode();
        var (row, _) = await ChangeAsync(request, AuditOperations.RequestResend, (row, now) =>
        {
            if (row.State != PrivacyRequestState.Received)
            {
                throw new PrivacyRequestStateException(row.State, "Only a request waiting for verification is sent a code");
            }

            if (row.CodesSent >= _options.MaxCodes)
            {
                throw new PrivacyRequestStateException(row.State, $"The request was sent the most codes allowed ({_options.MaxCodes})");
            }

            var updated = row with
            {
                CodeHash = HashCode(keys, row.Id, code),
                CodeExpiresAt = now + (long)_options.CodeLifetime.TotalMilliseconds,
                CodeAttempts = 0,
                CodesSent = row.CodesSent + 1,
            };
            return (updated, true, AuditOutcomes.Success);
        }, cancellationToken).ConfigureAwait(false);
        await sender.SendCodeAsync(new PrivacyRequestCode(row.Id, row.Person, row.Type, code, DateTimeOffset.FromUnixTimeMilliseconds(row.CodeExpiresAt!.Value)), cancellationToken)
            .ConfigureAwait(false);
        return View(row, null);
    }

    public Task<PrivacyRequest?> GetAsync(Guid request, CancellationToken cancellationToken = default) =>
        CryptoGuard.RunAsync(_logger, "request.read", async () =>
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var row = await store.GetPrivacyRequestAsync(request, cancellationToken).ConfigureAwait(false);
            return row is null ? null : await OpenAsync(row, cancellationToken).ConfigureAwait(false);
        });

    public async Task<IReadOnlyList<PrivacyRequest>> ListAsync(PrivacyRequestQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > 1000 || query.States is null || query.States.Any(s => !Enum.IsDefined(s)))
        {
            throw new VaultInputException("A query lists 1 to 1,000 requests in defined states.", nameof(query));
        }

        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var rows = await store.ListPrivacyRequestsAsync(
            query.States.Count == 0 ? Open : [.. query.States.Distinct()], query.After?.DueAt.ToUnixTimeMilliseconds(), query.After?.Id, query.Limit, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => View(r, null))];
    }

    public Task<IReadOnlyList<PrivacyRequest>> ListForPersonAsync(Guid person, CancellationToken cancellationToken = default) =>
        CryptoGuard.RunAsync<IReadOnlyList<PrivacyRequest>>(_logger, "request.read", async () =>
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var rows = await store.GetPrivacyRequestsOfAsync(person, cancellationToken).ConfigureAwait(false);
            var dataKey = rows.Count == 0 ? null : await persons.OpenDataKeyAsync(person, cancellationToken).ConfigureAwait(false);
            try
            {
                return [.. rows.Select(r => View(r, dataKey is null ? null : SealedParts.Open(dataKey, r)))];
            }
            finally
            {
                if (dataKey is not null)
                {
                    CryptographicOperations.ZeroMemory(dataKey);
                }
            }
        });

    public async Task<PrivacyRequest> ExtendAsync(Guid request, string reason, CancellationToken cancellationToken = default)
    {
        CheckText(reason, MaxReasonLength, "reason", nameof(reason));
        var extended = await WithReasonAsync(request, AuditOperations.RequestExtend, (row, now) =>
        {
            RequireOpen(row, "Only an open request that is not being carried out can be extended");
            if (row.Extended)
            {
                throw new PrivacyRequestStateException(row.State, "The request was extended already: the law allows one extension");
            }

            if (now >= row.DueAt)
            {
                throw new PrivacyRequestStateException(row.State, "The period to answer has ended: an extension must be made, and the person told, within it");
            }

            var received = DateTimeOffset.FromUnixTimeMilliseconds(row.ReceivedAt);
            return row with { Extended = true, DueAt = _deadlines.DueAt(row.Regime, received, extended: true).ToUnixTimeMilliseconds() };
        }, parts => parts with { ExtensionReason = reason }, cancellationToken).ConfigureAwait(false);

        // The person must be told of the extension and its reason within the first period (GDPR Art. 12(3)).
        await NotifyAsync(new PrivacyRequestNotice(PrivacyRequestEvent.Extended, extended.Id, extended.Type, extended.Regime, extended.State, extended.DueAt), CancellationToken.None).ConfigureAwait(false);
        return extended;
    }

    public Task<PrivacyRequest> RejectAsync(Guid request, string approver, string reason, CancellationToken cancellationToken = default)
    {
        CheckText(approver, MaxApproverLength, "approver", nameof(approver));
        CheckText(reason, MaxReasonLength, "reason", nameof(reason));
        return WithReasonAsync(request, AuditOperations.RequestReject, (row, now) =>
        {
            RequireOpen(row, "Only an open request that is not being carried out can be rejected");
            return Close(row, PrivacyRequestState.Rejected, "rejected", now) with { DecidedAt = now, DecidedBy = approver };
        }, parts => parts with { Reason = reason }, cancellationToken);
    }

    public Task<PrivacyRequest> CancelAsync(Guid request, string reason, CancellationToken cancellationToken = default)
    {
        CheckText(reason, MaxReasonLength, "reason", nameof(reason));
        return WithReasonAsync(request, AuditOperations.RequestCancel, (row, now) =>
        {
            RequireOpen(row, "Only an open request that is not being carried out can be cancelled");
            return Close(row, PrivacyRequestState.Cancelled, "cancelled", now) with { DecidedAt = now };
        }, parts => parts with { Reason = reason }, cancellationToken);
    }

    public async Task<PrivacyRequest> ApproveAsync(Guid request, PrivacyRequestApproval approval, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(approval);
        CheckText(approval.Approver, MaxApproverLength, "approver", nameof(approval));

        // The claim: of approvals at once, one moves the request to in progress; the others find it there and are refused.
        PrivacyRequestRow claimed;
        SealedParts? parts;
        using (var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            (claimed, _) = await ChangeAsync(request, AuditOperations.RequestApprove, (row, now) =>
            {
                if (row.State is not (PrivacyRequestState.Verified or PrivacyRequestState.AwaitingApproval or PrivacyRequestState.Failed))
                {
                    throw new PrivacyRequestStateException(row.State, "Only a verified request can be approved");
                }

                if (row.Type is PrivacyRequestType.Access or PrivacyRequestType.Portability && approval.Destination is null)
                {
                    throw new VaultInputException("An access or portability request is carried out by writing the export: give the approval a destination stream.", nameof(approval));
                }

                return (row with { State = PrivacyRequestState.InProgress, DecidedAt = now, DecidedBy = approval.Approver, Outcome = null }, true, AuditOutcomes.Success);
            }, cancellationToken).ConfigureAwait(false);
            parts = await CryptoGuard.RunAsync(_logger, AuditOperations.RequestApprove, () => OpenPartsAsync(claimed, cancellationToken)).ConfigureAwait(false);
        }

        // The library's part, outside the lease (a forget takes its own), on the data as it is now.
        var (state, outcome) = await CarryOutAsync(claimed, parts, approval.Destination, cancellationToken).ConfigureAwait(false);

        using (var lease = await opener.EnterAsync(CancellationToken.None).ConfigureAwait(false))
        {
            var operation = state == PrivacyRequestState.Failed ? AuditOperations.RequestFail : AuditOperations.RequestComplete;
            var (ended, _) = await ChangeAsync(request, operation, (row, now) =>
            {
                // The pass may have taken a long carrying-out for interrupted: its verdict stands.
                if (row.State != PrivacyRequestState.InProgress || row.DecidedAt != claimed.DecidedAt)
                {
                    return (null, false, null);
                }

                return (state == PrivacyRequestState.Failed ? row with { State = state, Outcome = outcome } : Close(row, state, outcome, now), true, AuditOutcomes.Success);
            }, CancellationToken.None).ConfigureAwait(false);
            return View(ended, parts);
        }
    }

    public async Task<int> RunDueWorkAsync(CancellationToken cancellationToken = default)
    {
        var total = 0;
        var overdue = new List<PrivacyRequestRow>();
        using (await opener.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var rows = await store.GetPrivacyRequestsToWakeAsync(now, _options.BatchSize, cancellationToken).ConfigureAwait(false);
                foreach (var row in rows)
                {
                    var (changed, becameOverdue) = await WakeAsync(row, now, cancellationToken).ConfigureAwait(false);
                    total += changed ? 1 : 0;
                    if (becameOverdue is not null)
                    {
                        overdue.Add(becameOverdue);
                    }
                }

                if (rows.Count < _options.BatchSize)
                {
                    break;
                }
            }
        }

        if (overdue.Count > 0)
        {
            RequestLog.RequestsOverdue(_logger, overdue.Count);
        }

        // Once the lease is given back, so that a slow mail server holds up neither a key rotation nor a close; with the
        // pass's token, which a stopping host cancels (a notice it cuts short is logged, the flags stand).
        foreach (var row in overdue)
        {
            await NotifyAsync(PrivacyRequestEvent.Overdue, row, cancellationToken).ConfigureAwait(false);
        }

        return total;
    }

    /// <summary>Registers the manager, its part of a forget, of the due-work pass and of the export.</summary>
    public static void Register(IServiceCollection services)
    {
        Diagnostics.Instrumented.AddPrivacyRequestManager<PrivacyRequestManager>(services);

        // Its part of a forget: the change, the reasons and the code hash go; type, dates and outcome stay as the record.
        ErasureStep<IPrivacyRequestStore>.Add(services, static (requests, erasure, person, cancellationToken) => requests.EnlistErasureAsync(erasure, person, cancellationToken));

        // Its part of the due-work pass: expiry, interruption, overdue flags and purges.
        DueWork<IPrivacyRequestManager>.Add(services, "requests", static (manager, cancellationToken) => manager.RunDueWorkAsync(cancellationToken));
        BacklogSource<IPrivacyRequestStore>.Add(services, "requests", static (store, cancellationToken) => store.GetEarliestPrivacyRequestWakeAsync(cancellationToken));

        // Its part of the export: every request of the person, with its change and reasons.
        ExportSection<IPrivacyRequestStore>.Add<IPrivacyRequestStore>(services, "requests", static async (requests, writer, context, cancellationToken) =>
        {
            writer.WriteStartArray();
            foreach (var row in await requests.GetPrivacyRequestsOfAsync(context.Person, cancellationToken).ConfigureAwait(false))
            {
                var parts = SealedParts.Open(context.DataKey, row);
                writer.WriteStartObject();
                writer.WriteString("id", row.Id);
                writer.WriteString("type", JsonNamingPolicy.CamelCase.ConvertName(row.Type.ToString()));
                writer.WriteString("regime", row.Regime.ToString().ToUpperInvariant());
                writer.WriteString("state", JsonNamingPolicy.CamelCase.ConvertName(row.State.ToString()));
                writer.WriteString("activity", row.Activity);
                ExportContext.WriteTime(writer, "receivedAt", row.ReceivedAt);
                ExportContext.WriteTime(writer, "dueAt", row.DueAt);
                writer.WriteBoolean("extended", row.Extended);
                ExportContext.WriteTime(writer, "verifiedAt", row.VerifiedAt);
                ExportContext.WriteTime(writer, "decidedAt", row.DecidedAt);
                ExportContext.WriteTime(writer, "closedAt", row.ClosedAt);
                writer.WriteString("outcome", row.Outcome);
                writer.WritePropertyName("change");
                if (parts?.Change is { } change)
                {
                    change.WriteTo(writer);
                }
                else
                {
                    writer.WriteNullValue();
                }

                writer.WriteString("reason", parts?.Reason);
                writer.WriteString("extensionReason", parts?.ExtensionReason);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    private static PrivacyRequestRow Close(PrivacyRequestRow row, PrivacyRequestState state, string outcome, long now) =>
        row with { State = state, Outcome = outcome, ClosedAt = now, CodeHash = null, CodeExpiresAt = null };

    private static void RequireOpen(PrivacyRequestRow row, string refusal)
    {
        if (row.State is not (PrivacyRequestState.Received or PrivacyRequestState.Verified or PrivacyRequestState.AwaitingApproval or PrivacyRequestState.Failed))
        {
            throw new PrivacyRequestStateException(row.State, refusal);
        }
    }

    private static string NewCode() => RandomNumberGenerator.GetInt32(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture);

    private static byte[] HashCode(SystemKeys keys, Guid request, string code) =>
        BlindIndex.Compute(keys.RequestCodes, CodeHashName, string.Concat(request.ToString("N"), ":", code));

    /// <summary>
    /// Refuses text that is missing, too long, not valid UTF-16, or blank: a reason the person must be told (or an
    /// approver) made only of white space or invisible characters tells nobody anything.
    /// </summary>
    private static void CheckText(string? value, int max, string what, string paramName)
    {
        if (value is null || value.EnumerateRunes().All(r => Rune.IsWhiteSpace(r) || DefaultIgnorable.Contains(r.Value)))
        {
            throw new VaultInputException($"The {what} is blank: give 1 to {max} characters that say something.", paramName);
        }

        if (value.Length > max || !Utf16Text.IsValid(value))
        {
            throw new VaultInputException($"The {what} is 1 to {max} characters of valid text.", paramName);
        }
    }

    private static PrivacyRequest View(PrivacyRequestRow row, SealedParts? parts) => new()
    {
        Id = row.Id,
        Person = row.Person,
        Type = row.Type,
        Regime = row.Regime,
        State = row.State,
        Activity = row.Activity,
        ReceivedAt = Time(row.ReceivedAt),
        AcknowledgeBy = Time(row.AcknowledgeBy),
        AcknowledgedAt = Time(row.AcknowledgedAt),
        DueAt = Time(row.DueAt),
        IsExtended = row.Extended,
        VerifiedAt = Time(row.VerifiedAt),
        DecidedAt = Time(row.DecidedAt),
        DecidedBy = row.DecidedBy,
        ClosedAt = Time(row.ClosedAt),
        Outcome = row.Outcome,
        OverdueAt = Time(row.OverdueAt),
        Change = parts?.Change,
        Reason = parts?.Reason,
        ExtensionReason = parts?.ExtensionReason,
    };

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? Time(long? ms) => ms is { } x ? DateTimeOffset.FromUnixTimeMilliseconds(x) : null;

    private void Check(PrivacyRequestSubmission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (!Enum.IsDefined(submission.Type) || !Enum.IsDefined(submission.Regime))
        {
            throw new VaultInputException("The request's type or regime is not one of the defined values.", nameof(submission));
        }

        if (submission.Type == PrivacyRequestType.Rectification)
        {
            if (submission.Change is not { ValueKind: JsonValueKind.Object } change || change.GetRawText().Length > _maxChangeBytes)
            {
                throw new VaultInputException("A rectification carries its change: a JSON object no larger than the largest profile.", nameof(submission));
            }
        }
        else if (submission.Change is not null)
        {
            throw new VaultInputException("Only a rectification carries a change.", nameof(submission));
        }

        if (submission.Activity is { } name)
        {
            var activity = catalog.FindActivity(name) ?? throw new VaultInputException("The activity is not in the privacy catalogue.", nameof(submission));
            if (submission.Type == PrivacyRequestType.ConsentWithdrawal && activity.LegalBasis != LegalBasis.Consent)
            {
                throw new VaultInputException("A consent withdrawal names an activity that rests on consent.", nameof(submission));
            }

            if (submission.Type is not (PrivacyRequestType.ConsentWithdrawal or PrivacyRequestType.Objection or PrivacyRequestType.Restriction))
            {
                throw new VaultInputException("Only an objection, a restriction or a consent withdrawal names an activity.", nameof(submission));
            }
        }
        else if (submission.Type == PrivacyRequestType.ConsentWithdrawal)
        {
            throw new VaultInputException("A consent withdrawal names the activity whose consent is withdrawn.", nameof(submission));
        }
    }

    private PrivacyRequestState StateAfterVerification(PrivacyRequestType type) =>
        _options.ApprovalNotRequired.Contains(type) ? PrivacyRequestState.Verified : PrivacyRequestState.AwaitingApproval;

    /// <summary>When the pass must next look at a request: its verification window, its in-progress timeout, its due date (until flagged) or its purge.</summary>
    private long? WakeAt(PrivacyRequestRow row)
    {
        long? overdue = row.OverdueAt is null ? row.DueAt : null;
        return row.State switch
        {
            PrivacyRequestState.Received => Math.Min(row.VerifyBy, overdue ?? long.MaxValue),
            PrivacyRequestState.InProgress => Math.Min(row.DecidedAt!.Value + (long)_options.InProgressTimeout.TotalMilliseconds, overdue ?? long.MaxValue),
            PrivacyRequestState.Verified or PrivacyRequestState.AwaitingApproval or PrivacyRequestState.Failed => overdue,
            _ => row.ClosedAt!.Value + (long)_options.RecordRetention.TotalMilliseconds,
        };
    }

    /// <summary>
    /// Reads the request, lets <paramref name="change"/> decide (it throws to refuse, or returns no row to write
    /// nothing), and writes the new row by compare-and-set with its audit event; a lost race reads again and decides again.
    /// </summary>
    private async Task<(PrivacyRequestRow Row, T Result)> ChangeAsync<T>(
        Guid id, string operation, Func<PrivacyRequestRow, long, (PrivacyRequestRow? Updated, T Result, string? Outcome)> change, CancellationToken cancellationToken)
    {
        long lastVersion = 0;
        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
        {
            var row = await store.GetPrivacyRequestAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new PrivacyRequestNotFoundException();
            lastVersion = row.Version;
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var (updated, result, outcome) = change(row, now);
            if (updated is null)
            {
                return (row, result);
            }

            updated = updated with { Version = row.Version + 1 };
            updated = updated with { WakeAt = WakeAt(updated) };
            if (await store.UpdatePrivacyRequestAsync(updated, row.Version, audit.NewEvent(operation, row.Person, outcome ?? AuditOutcomes.Success, at: now), cancellationToken).ConfigureAwait(false))
            {
                return (updated, result);
            }
        }

        // Other writers won every round: the caller may try again.
        throw new VersionConflictException(lastVersion);
    }

    /// <summary>A change that also seals a reason under the person's key (kept only while the person exists).</summary>
    private Task<PrivacyRequest> WithReasonAsync(
        Guid request, string operation, Func<PrivacyRequestRow, long, PrivacyRequestRow> change, Func<SealedParts, SealedParts> addReason, CancellationToken cancellationToken) =>
        CryptoGuard.RunAsync(_logger, operation, async () =>
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var first = await store.GetPrivacyRequestAsync(request, cancellationToken).ConfigureAwait(false) ?? throw new PrivacyRequestNotFoundException();
            var dataKey = await persons.OpenDataKeyAsync(first.Person, cancellationToken).ConfigureAwait(false);
            try
            {
                SealedParts? parts = null;
                var (row, _) = await ChangeAsync(request, operation, (row, now) =>
                {
                    var updated = change(row, now);
                    if (dataKey is not null)
                    {
                        parts = addReason(SealedParts.Open(dataKey, row) ?? SealedParts.Empty);
                        updated = updated with { Sealed = parts.Seal(dataKey, row.Person, row.Id) };
                    }

                    return (updated, true, AuditOutcomes.Success);
                }, cancellationToken).ConfigureAwait(false);
                return View(row, parts);
            }
            finally
            {
                if (dataKey is not null)
                {
                    CryptographicOperations.ZeroMemory(dataKey);
                }
            }
        });

    private async Task<PrivacyRequest> OpenAsync(PrivacyRequestRow row, CancellationToken cancellationToken) =>
        View(row, await OpenPartsAsync(row, cancellationToken).ConfigureAwait(false));

    private async Task<SealedParts?> OpenPartsAsync(PrivacyRequestRow row, CancellationToken cancellationToken)
    {
        if (row.Sealed is null)
        {
            return null;
        }

        var dataKey = await persons.OpenDataKeyAsync(row.Person, cancellationToken).ConfigureAwait(false);
        if (dataKey is null)
        {
            return null;
        }

        try
        {
            return SealedParts.Open(dataKey, row);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The library's part of a request, then the host's; returns the state it ends in and why.</summary>
    private async Task<(PrivacyRequestState State, string Outcome)> CarryOutAsync(PrivacyRequestRow row, SealedParts? parts, Stream? destination, CancellationToken cancellationToken)
    {
        try
        {
            using (var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await persons.Store.GetPersonAsync(row.Person, cancellationToken).ConfigureAwait(false) is null)
                {
                    // Checked again now: forgotten since the request came in. An erasure has nothing left to do.
                    return row.Type == PrivacyRequestType.Erasure ? (PrivacyRequestState.Completed, "already-forgotten") : (PrivacyRequestState.Cancelled, "person-forgotten");
                }
            }

            // The module that owns the right carries it out (registered as an IRightStep); a right that no module holds
            // data for (restriction, objection) is the host's alone, through its fan-out.
            var outcome = "carried-out";
            var right = row.Type switch
            {
                PrivacyRequestType.Access => Rights.Access,
                PrivacyRequestType.Portability => Rights.Portability,
                PrivacyRequestType.Rectification => Rights.Rectification,
                PrivacyRequestType.Erasure => Rights.Erasure,
                PrivacyRequestType.ConsentWithdrawal => Rights.ConsentWithdrawal,
                _ => null,
            };
            if (right is not null)
            {
                var step = _steps.GetValueOrDefault(right) ?? throw new InvalidOperationException($"No module carries out the right '{right}'.");
                var result = await step.CarryOutAsync(new RightRequest(row.Person, row.Activity, parts?.Change, destination), cancellationToken).ConfigureAwait(false);
                switch (result.State)
                {
                    case RightStepState.Cancelled:
                        return (PrivacyRequestState.Cancelled, result.Outcome);
                    case RightStepState.Failed:
                        RequestLog.RequestFailed(_logger, row.Type, result.Outcome, result.Detail ?? "none");
                        return (PrivacyRequestState.Failed, result.Outcome);
                }

                outcome = result.Outcome;
            }
            var carriedOut = new CarriedOutPrivacyRequest(row.Id, row.Person, row.Type, row.Activity, parts?.Change);
            foreach (var fanOut in _fanOuts)
            {
                try
                {
                    await fanOut.CarryOutAsync(carriedOut, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    RequestLog.RequestFailed(_logger, row.Type, "fan-out-failed", ex.GetType().Name);
                    return (PrivacyRequestState.Failed, "fan-out-failed");
                }
            }

            return (PrivacyRequestState.Completed, outcome);
        }
        catch (OperationCanceledException)
        {
            return (PrivacyRequestState.Failed, "cancelled");
        }
        catch (Exception ex)
        {
            RequestLog.RequestFailed(_logger, row.Type, "error", ex.GetType().Name);
            return (PrivacyRequestState.Failed, "error");
        }
    }

    /// <summary>One request whose wake time came: purge, expire, fail or flag it. Returns whether it changed, and whether it became overdue.</summary>
    private async Task<(bool Changed, PrivacyRequestRow? BecameOverdue)> WakeAsync(PrivacyRequestRow row, long now, CancellationToken cancellationToken)
    {
        var closed = row.State is PrivacyRequestState.Completed or PrivacyRequestState.Rejected or PrivacyRequestState.Cancelled or PrivacyRequestState.Expired;
        if (closed && row.ClosedAt + (long)_options.RecordRetention.TotalMilliseconds <= now)
        {
            return (await store.DeletePrivacyRequestAsync(row.Id, row.Version, audit.NewEvent(AuditOperations.RequestPurge, row.Person, AuditOutcomes.Success, at: now), cancellationToken)
                .ConfigureAwait(false), null);
        }

        string? operation;
        PrivacyRequestRow updated;
        if (closed)
        {
            (operation, updated) = (null, row);
        }
        else if (row.State == PrivacyRequestState.Received && row.VerifyBy <= now)
        {
            (operation, updated) = (AuditOperations.RequestExpire, Close(row, PrivacyRequestState.Expired, "unverified", now));
        }
        else if (row.State == PrivacyRequestState.InProgress && row.DecidedAt + (long)_options.InProgressTimeout.TotalMilliseconds <= now)
        {
            (operation, updated) = (AuditOperations.RequestFail, row with { State = PrivacyRequestState.Failed, Outcome = "interrupted" });
        }
        else if (row.OverdueAt is null && row.DueAt <= now)
        {
            (operation, updated) = (AuditOperations.RequestOverdue, row with { OverdueAt = now });
        }
        else
        {
            // Woken early (its wake time was written under other options): set it right, unaudited.
            (operation, updated) = (null, row);
        }

        updated = updated with { Version = row.Version + 1 };
        updated = updated with { WakeAt = WakeAt(updated) };
        var written = await store.UpdatePrivacyRequestAsync(
            updated, row.Version, operation is null ? null : audit.NewEvent(operation, row.Person, AuditOutcomes.Success, at: now), cancellationToken).ConfigureAwait(false);
        return (written && operation is not null, written && operation == AuditOperations.RequestOverdue ? updated : null);
    }

    private Task NotifyAsync(PrivacyRequestEvent @event, PrivacyRequestRow row, CancellationToken cancellationToken) =>
        NotifyAsync(new PrivacyRequestNotice(@event, row.Id, row.Type, row.Regime, row.State, Time(row.DueAt)), cancellationToken);

    /// <summary>
    /// Tells every notifier, each on its own, once the change is stored: the change stands whatever they do, so they are
    /// not handed a caller's token (a client that goes away must not cost the person their receipt; only the due-work
    /// pass passes its own) and whatever one throws, a cancellation too, is logged and keeps none of the others from hearing.
    /// </summary>
    private async Task NotifyAsync(PrivacyRequestNotice notice, CancellationToken cancellationToken)
    {
        foreach (var notifier in _notifiers)
        {
            try
            {
                await notifier.NotifyAsync(notice, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                RequestLog.RequestNotifierFailed(_logger, ex.GetType().Name, notice.Event);
            }
        }
    }

    /// <summary>What a request keeps sealed under the person's key: the change and the reasons.</summary>
    private sealed record SealedParts(JsonElement? Change, string? Reason, string? ExtensionReason)
    {
        public static SealedParts Empty { get; } = new(null, null, null);

        public bool IsEmpty => Change is null && Reason is null && ExtensionReason is null;

        public static SealedParts? Open(byte[] dataKey, PrivacyRequestRow row)
        {
            if (row.Sealed is null)
            {
                return null;
            }

            var json = Envelope.Open(dataKey, row.Sealed, AssociatedData.ForOwnedRecord(AssociatedData.PrivacyRequest, row.Person, row.Id), "privacy request");
            try
            {
                using var document = JsonDocument.Parse(json);
                var root = document.RootElement;
                return new SealedParts(
                    root.TryGetProperty("change", out var change) ? change.Clone() : null,
                    root.TryGetProperty("reason", out var reason) ? reason.GetString() : null,
                    root.TryGetProperty("extensionReason", out var extension) ? extension.GetString() : null);
            }
            finally
            {
                Array.Clear(json);
            }
        }

        public byte[] Seal(byte[] dataKey, Guid owner, Guid id)
        {
            using var scratch = JsonScratch.ForDetails();
            var writer = scratch.Writer;
            writer.WriteStartObject();
            if (Change is { } change)
            {
                writer.WritePropertyName("change");
                change.WriteTo(writer);
            }

            if (Reason is not null)
            {
                writer.WriteString("reason", Reason);
            }

            if (ExtensionReason is not null)
            {
                writer.WriteString("extensionReason", ExtensionReason);
            }

            writer.WriteEndObject();
            return Envelope.Seal(dataKey, PersonDirectory.DataKeyId, scratch.Written, AssociatedData.ForOwnedRecord(AssociatedData.PrivacyRequest, owner, id));
        }
    }
}
