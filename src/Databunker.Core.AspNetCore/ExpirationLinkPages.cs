using Databunker.Core.Expiration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.AspNetCore;

/// <summary>The pages of the expiration links: a GET that only shows, a POST that acts, one neutral page for every link that does not work.</summary>
internal sealed class ExpirationLinkPages(PageRenderer pages)
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

    public PageRenderer Pages => pages;

    public async Task ShowAsync(HttpContext context, string token, ExpirationLinkAction action)
    {
        SecurityHeaders.Apply(context.Response);
        var manager = context.RequestServices.GetRequiredService<IExpirationManager>();
        var info = token.Length <= MaxTokenLength ? await InspectAsync(manager, token, context.RequestAborted).ConfigureAwait(false) : null;
        if (info is null || info.Action != action)
        {
            await pages.MessageAsync(context, StatusCodes.Status404NotFound, "Link.NotFoundTitle", "Link.NotFoundText", isError: true).ConfigureAwait(false);
            return;
        }

        var page = pages.Context(context);
        var delete = action == ExpirationLinkAction.Delete;
        await pages.RenderAsync(
            context,
            StatusCodes.Status200OK,
            new ExpirationLinkPage(page, page.Text[delete ? "Link.DeleteTitle" : "Link.KeepTitle"].Value, delete, info.DueAt, token, context.Request.PathBase + PostPath(context.Request.Path, action)),
            static m => new AspNetCoreGeneratedDocument.Templates_ExpirationLink { Model = m }).ConfigureAwait(false);
    }

    public async Task ConfirmAsync(HttpContext context, ExpirationLinkAction action)
    {
        SecurityHeaders.Apply(context.Response);
        if (await LimitedForm.ReadAsync(context, LinkForm).ConfigureAwait(false) is not { } form)
        {
            await pages.MessageAsync(context, StatusCodes.Status400BadRequest, "Expired.Title", "Link.ExpiredText", isError: true).ConfigureAwait(false);
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
                await pages.MessageAsync(context, StatusCodes.Status200OK, "Link.KeptTitle", "Link.KeptText", isError: false).ConfigureAwait(false);
                break;
            case ExpirationLinkResult.Deleted:
                await pages.MessageAsync(context, StatusCodes.Status200OK, "Link.DeletedTitle", "Link.DeletedText", isError: false).ConfigureAwait(false);
                break;
            default:
                await pages.MessageAsync(context, StatusCodes.Status404NotFound, "Link.NotFoundTitle", "Link.NotFoundText", isError: true).ConfigureAwait(false);
                break;
        }
    }

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
}
