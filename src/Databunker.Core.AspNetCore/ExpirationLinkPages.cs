using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Databunker.Core.Expiration;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.AspNetCore;

/// <summary>The pages of the expiration links: a GET that only shows, a POST that acts, one neutral page for every link that does not work.</summary>
internal static class ExpirationLinkPages
{
    /// <summary>The most a link token can be; longer ones are not looked up.</summary>
    private const int MaxTokenLength = 128;

    /// <summary>The form is two short fields: anything bigger is refused before it is read.</summary>
    private static readonly FormOptions LinkForm = new()
    {
        ValueCountLimit = 4,
        KeyLengthLimit = 64,
        ValueLengthLimit = 512,
        MultipartBodyLengthLimit = 4096,
        BufferBody = false,
    };

    public static async Task ShowAsync(HttpContext context, string token, ExpirationLinkAction action)
    {
        SecurityHeaders.Apply(context.Response);
        var manager = context.RequestServices.GetRequiredService<IExpirationManager>();
        var info = token.Length <= MaxTokenLength ? await InspectAsync(manager, token, context.RequestAborted).ConfigureAwait(false) : null;
        if (info is null || info.Action != action)
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, NeutralTitle, NeutralText).ConfigureAwait(false);
            return;
        }

        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        var tokens = antiforgery.GetAndStoreTokens(context);
        var due = info.DueAt.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
        var (title, text, button) = action == ExpirationLinkAction.Retain
            ? ("Keep your data", $"Your account is due to be deleted on {due}. Keep it and the data in it?", "Keep my data")
            : ("Delete your data", $"Your account is due to be deleted on {due}. Delete it and the data in it now? This cannot be undone.", "Delete my data now");
        var form = new StringBuilder()
            .Append("<form method=\"post\" action=\"").Append(Encode(context.Request.PathBase + PostPath(context.Request.Path, action))).Append("\">")
            .Append("<input type=\"hidden\" name=\"token\" value=\"").Append(Encode(token)).Append("\">")
            .Append("<input type=\"hidden\" name=\"").Append(Encode(tokens.FormFieldName)).Append("\" value=\"").Append(Encode(tokens.RequestToken ?? string.Empty)).Append("\">")
            .Append("<button type=\"submit\">").Append(Encode(button)).Append("</button></form>")
            .ToString();
        await WriteAsync(context, StatusCodes.Status200OK, title, text, form).ConfigureAwait(false);
    }

    public static async Task ConfirmAsync(HttpContext context, ExpirationLinkAction action)
    {
        SecurityHeaders.Apply(context.Response);
        if (await LimitedForm.ReadAsync(context, LinkForm).ConfigureAwait(false) is not { } form)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, "The page expired", "Open the link in the mail again.").ConfigureAwait(false);
            return;
        }

        var token = form["token"].ToString();
        var manager = context.RequestServices.GetRequiredService<IExpirationManager>();
        var result = token.Length is 0 or > MaxTokenLength
            ? ExpirationLinkResult.NotFound
            : await UseAsync(manager, token, action, context.RequestAborted).ConfigureAwait(false);
        switch (result)
        {
            case ExpirationLinkResult.Retained:
                await WriteAsync(context, StatusCodes.Status200OK, "Your data is kept", "Thank you: your account and its data stay as they are.").ConfigureAwait(false);
                break;
            case ExpirationLinkResult.Deleted:
                await WriteAsync(context, StatusCodes.Status200OK, "Your data is deleted", "Your account and the data in it are deleted.").ConfigureAwait(false);
                break;
            default:
                await WriteAsync(context, StatusCodes.Status404NotFound, NeutralTitle, NeutralText).ConfigureAwait(false);
                break;
        }
    }

    private const string NeutralTitle = "This link does not work";

    private const string NeutralText = "The link is unknown, was used already, or has expired. Nothing was changed.";

    private static async Task<ExpirationLinkInfo?> InspectAsync(IExpirationManager manager, string token, CancellationToken cancellationToken)
    {
        try
        {
            return await manager.InspectLinkAsync(token, cancellationToken).ConfigureAwait(false);
        }
        catch (VaultInputException)
        {
            return null;
        }
    }

    private static async Task<ExpirationLinkResult> UseAsync(IExpirationManager manager, string token, ExpirationLinkAction action, CancellationToken cancellationToken)
    {
        try
        {
            return action == ExpirationLinkAction.Retain
                ? await manager.RetainAsync(token, cancellationToken).ConfigureAwait(false)
                : await manager.DeleteAsync(token, cancellationToken).ConfigureAwait(false);
        }
        catch (VaultInputException)
        {
            return ExpirationLinkResult.NotFound;
        }
    }

    /// <summary>The POST route beside the GET one: <c>{prefix}/retain/{token}</c> posts to <c>{prefix}/retain</c>, so the token leaves the address.</summary>
    private static string PostPath(PathString getPath, ExpirationLinkAction action)
    {
        var path = getPath.Value ?? string.Empty;
        var segment = action == ExpirationLinkAction.Retain ? "/retain/" : "/delete/";
        var at = path.LastIndexOf(segment, StringComparison.Ordinal);
        return path[..(at + segment.Length - 1)];
    }

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);

    private static Task WriteAsync(HttpContext context, int status, string title, string text, string? form = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"robots\" content=\"noindex, nofollow\"><title>").Append(Encode(title)).Append("</title></head><body><main>")
            .Append("<h1>").Append(Encode(title)).Append("</h1><p>").Append(Encode(text)).Append("</p>")
            .Append(form)
            .Append("</main></body></html>")
            .ToString();
        return context.Response.WriteAsync(html, context.RequestAborted);
    }
}
