using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.AspNetCore;

/// <summary>How every page of this package reads a posted form: within tight limits, then the antiforgery check.</summary>
internal static class LimitedForm
{
    /// <summary>
    /// Reads the form within <paramref name="limits"/> (left in place for the antiforgery check, which reads the same
    /// form) and validates its antiforgery token; <see langword="null"/> when it is not a form, is too large, is
    /// malformed or fails the check. Nothing is written to the response.
    /// </summary>
    public static async Task<IFormCollection?> ReadAsync(HttpContext context, FormOptions limits)
    {
        if (!context.Request.HasFormContentType || context.Request.ContentLength > limits.MultipartBodyLengthLimit)
        {
            return null;
        }

        try
        {
            var feature = new FormFeature(context.Request, limits);
            context.Features.Set<IFormFeature>(feature);
            var form = await feature.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context).ConfigureAwait(false);
            return form;
        }
        catch (Exception ex) when (ex is InvalidDataException or AntiforgeryValidationException or BadHttpRequestException)
        {
            return null;
        }
    }
}
