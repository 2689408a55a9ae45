using System.Text.Json;
using Databunker.Core.Export;
using Databunker.Core.Privacy;
using Databunker.Core.Requests;
using Microsoft.AspNetCore.Http;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// The DPO's JSON API: the request queue (list, read, approve, reject, extend), the catalogue's documents, a person's
/// audit trail and export. Every call runs as the signed-in DPO (<see cref="AuditActor"/>); every response is
/// <c>no-store</c>; errors are RFC 9457 problem details whose texts hold no personal data.
/// </summary>
internal static class AdminApi
{
    /// <summary>The largest JSON body the API reads (a reason is at most 2,000 characters).</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>
    /// Whether a request changes state on behalf of a browser from another origin (cross-site request forgery). A browser
    /// attaches the DPO's cookies to a form or fetch that another site sends, but it also says where the request comes from:
    /// <c>Sec-Fetch-Site</c> (every current browser) and <c>Origin</c> (on every cross-origin POST). A request that carries a
    /// bearer token and no cookie is not a browser's ambient credential and is let through; so is one that names neither header (a
    /// script's client, which no other site can drive). Origins are compared by host and port, since a proxy that ends TLS
    /// may present the request as plain HTTP.
    /// </summary>
    public static bool IsCrossSiteStateChange(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || (request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && request.Headers.Cookie.Count == 0))
        {
            return false;
        }

        // A browser that says where the request comes from is believed (no page can set the header). It decides alone:
        // under the pages' no-referrer policy, a same-origin form's Origin header is "null".
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is not ("same-origin" or "none");
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0
            && (!Uri.TryCreate(origin, UriKind.Absolute, out var from) || !string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    public static IResult CrossSiteRefused() =>
        Problem(StatusCodes.Status403Forbidden, "Cross-site request", "State changes are accepted from this site's own pages or with a bearer token, not from another site.");

    public static async Task<IResult> ListAsync(HttpContext context, IPrivacyRequestManager requests, string? state, int? limit, Guid? after)
    {
        var states = new List<PrivacyRequestState>();
        foreach (var name in (state ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<PrivacyRequestState>(name, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(name, out _))
            {
                return Problem(StatusCodes.Status400BadRequest, "Unknown state", "state lists request states by name: received, verified, awaitingApproval, inProgress, completed, rejected, cancelled, expired, failed.");
            }

            states.Add(parsed);
        }

        PrivacyRequest? last = null;
        if (after is { } id && (last = await requests.GetAsync(id, context.RequestAborted)) is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Unknown cursor", "after names no request.");
        }

        if (limit is < 1 or > 1000)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad limit", "limit is 1 to 1,000.");
        }

        var page = await requests.ListAsync(new PrivacyRequestQuery { States = states, Limit = limit ?? 100, After = last }, context.RequestAborted);
        return Results.Json(page.Select(RequestSummary.Of), AdminJson.Default.IEnumerableRequestSummary);
    }

    public static async Task<IResult> GetAsync(HttpContext context, IPrivacyRequestManager requests, Guid id) =>
        await requests.GetAsync(id, context.RequestAborted) is { } request ? Results.Json(RequestDetail.Of(request), AdminJson.Default.RequestDetail) : NotFound();

    public static async Task<IResult> ApproveAsync(HttpContext context, IPrivacyRequestManager requests, Guid id)
    {
        var approver = Approver(context);
        var request = await requests.GetAsync(id, context.RequestAborted);
        if (request is null)
        {
            return NotFound();
        }

        if (request.Type is not (PrivacyRequestType.Access or PrivacyRequestType.Portability))
        {
            var done = await requests.ApproveAsync(id, new PrivacyRequestApproval { Approver = approver }, context.RequestAborted);
            return Results.Json(RequestDetail.Of(done), AdminJson.Default.RequestDetail);
        }

        // An access or portability request is carried out by writing the export: it is this response's body.
        var buffer = new MemoryStream();
        await using (buffer.ConfigureAwait(false))
        {
            var ended = await requests.ApproveAsync(id, new PrivacyRequestApproval { Approver = approver, Destination = buffer }, context.RequestAborted);
            if (ended.State != PrivacyRequestState.Completed)
            {
                return Results.Json(RequestDetail.Of(ended), AdminJson.Default.RequestDetail);
            }

            context.Response.Headers.ContentDisposition = $"attachment; filename=\"export-{id:N}.json\"";
            return Results.Bytes(buffer.ToArray(), "application/json");
        }
    }

    public static async Task<IResult> RejectAsync(HttpContext context, IPrivacyRequestManager requests, Guid id)
    {
        var body = await ReadAsync(context);
        return body.Problem ?? Results.Json(RequestDetail.Of(await requests.RejectAsync(id, Approver(context), body.Reason!, context.RequestAborted)), AdminJson.Default.RequestDetail);
    }

    public static async Task<IResult> ExtendAsync(HttpContext context, IPrivacyRequestManager requests, Guid id)
    {
        var body = await ReadAsync(context);
        return body.Problem ?? Results.Json(RequestDetail.Of(await requests.ExtendAsync(id, body.Reason!, context.RequestAborted)), AdminJson.Default.RequestDetail);
    }

    public static async Task<IResult> AuditTrailAsync(HttpContext context, IPersonalDataVault vault, Guid token)
    {
        var events = await vault.GetAuditEventsAsync(token, context.RequestAborted);
        return events.Count == 0 ? NotFound() : Results.Json(events, AdminJson.Default.IReadOnlyListAuditEvent);
    }

    public static async Task ExportAsync(HttpContext context, IPersonExporter exporter, Guid token)
    {
        // Written to a buffer first: a person who does not exist is a 404, not half a document.
        var buffer = new MemoryStream();
        await using (buffer.ConfigureAwait(false))
        {
            try
            {
                await exporter.ExportAsync(token, buffer, context.RequestAborted);
            }
            catch (PersonNotFoundException)
            {
                await NotFound().ExecuteAsync(context);
                return;
            }

            await JsonAttachment.WriteAsync(context, buffer, $"export-{token:N}.json");
        }
    }

    public static IResult Catalog(IPrivacyCatalog catalog, string document) => document switch
    {
        "record" => Results.Text(catalog.GetRecordOfProcessingJson(), "application/json"),
        "record.md" => Results.Text(catalog.GetRecordOfProcessingMarkdown(), "text/markdown; charset=utf-8"),
        "retention-notice.md" => Results.Text(catalog.GetRetentionNoticeMarkdown(), "text/markdown; charset=utf-8"),
        _ => NotFound(),
    };

    /// <summary>The library's refusals as problem details: their texts hold no personal data by design.</summary>
    public static async Task HandleErrorsAsync(HttpContext context, Func<Task> next)
    {
        SecurityHeaders.Apply(context.Response);
        var actor = context.User.Identity?.Name;
        using var scope = actor is { Length: > 0 } ? AuditActor.Begin(actor) : null;
        try
        {
            await next();
        }
        catch (Exception ex) when (ex is PrivacyRequestNotFoundException or PersonNotFoundException)
        {
            await NotFound().ExecuteAsync(context);
        }
        catch (PrivacyRequestStateException ex)
        {
            await Problem(StatusCodes.Status409Conflict, "Not in this state", ex.Message).ExecuteAsync(context);
        }
        catch (VaultInputException ex)
        {
            await Problem(StatusCodes.Status400BadRequest, "Refused", ex.Message).ExecuteAsync(context);
        }
    }

    private static string Approver(HttpContext context) =>
        context.User.Identity?.Name is { Length: > 0 and <= 200 } name ? name : throw new VaultInputException("The signed-in DPO has no name (ClaimsIdentity.Name) to record as the approver.", nameof(context));

    private static async Task<(string? Reason, IResult? Problem)> ReadAsync(HttpContext context)
    {
        if (!context.Request.HasJsonContentType())
        {
            return (null, Problem(StatusCodes.Status415UnsupportedMediaType, "JSON expected", "Send {\"reason\": \"...\"} as application/json."));
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return (null, Problem(StatusCodes.Status413PayloadTooLarge, "Too large", $"The body is at most {MaxBodyBytes} bytes."));
        }

        try
        {
            using var limited = new LimitedStream(context.Request.Body, MaxBodyBytes);
            var body = await JsonSerializer.DeserializeAsync(limited, AdminJson.Default.ReasonBody, context.RequestAborted);
            return body?.Reason is { } reason ? (reason, null) : (null, Problem(StatusCodes.Status400BadRequest, "Reason expected", "Send {\"reason\": \"...\"}."));
        }
        catch (JsonException)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "Malformed JSON", "Send {\"reason\": \"...\"}."));
        }
        catch (InvalidDataException)
        {
            return (null, Problem(StatusCodes.Status413PayloadTooLarge, "Too large", $"The body is at most {MaxBodyBytes} bytes."));
        }
    }

    private static IResult NotFound() => Problem(StatusCodes.Status404NotFound, "Not found", "Nothing has that id.");

    private static IResult Problem(int status, string title, string detail) => Results.Problem(detail: detail, statusCode: status, title: title);


    /// <summary>A read-only view of a stream that fails once more than <c>limit</c> bytes were read (a body without a length).</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _read += read;
            return _read > limit ? throw new InvalidDataException("The body is too large.") : read;
        }
    }
}
