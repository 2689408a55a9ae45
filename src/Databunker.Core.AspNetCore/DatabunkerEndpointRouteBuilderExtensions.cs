using Databunker.Core.Expiration;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Databunker.Core.AspNetCore;

/// <summary>Maps Databunker's endpoints into the host's ASP.NET Core app; each returns a builder for the host's own conventions (authorization, rate limiting).</summary>
public static class DatabunkerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the "keep my data" and "delete my data" links that <see cref="IExpirationManager.StartAsync"/> builds, at
    /// the path of <see cref="ExpirationOptions.LinkBaseAddress"/> (so the links always point at these routes):
    /// <c>GET {path}retain/{token}</c> and <c>GET {path}delete/{token}</c> show a confirmation page and change
    /// nothing, so mail scanners and link previewers that fetch every link keep and delete no one; only the page's
    /// form, a <c>POST {path}retain</c> or <c>POST {path}delete</c> with the token in its body and an antiforgery
    /// token, does it. Every response is <c>no-store</c>, <c>no-referrer</c>, <c>noindex</c> and framed by a strict
    /// Content-Security-Policy; unknown, used and expired links all get one neutral page.
    /// </summary>
    /// <param name="endpoints">The host's endpoints.</param>
    /// <returns>The group of the four routes, for the host's conventions (<c>RequireRateLimiting</c>, say).</returns>
    /// <exception cref="InvalidOperationException">
    /// <see cref="ExpirationOptions.LinkBaseAddress"/> is not set, or the antiforgery services are not registered.
    /// </exception>
    public static IEndpointConventionBuilder MapDatabunkerExpirationLinks(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<DatabunkerOptions>>().Value;
        var baseAddress = options.Expiration.LinkBaseAddress ?? throw new InvalidOperationException(
            "Set DatabunkerOptions.Expiration.LinkBaseAddress to the public address the links start with (https://shop.example/privacy/): the endpoints are mapped at its path.");
        if (endpoints.ServiceProvider.GetService<IAntiforgery>() is null)
        {
            throw new InvalidOperationException("The expiration link pages post an antiforgery token: call services.AddAntiforgery().");
        }

        var group = endpoints.MapGroup(baseAddress.AbsolutePath.TrimEnd('/'));
        group.MapGet("/retain/{token}", (HttpContext context, string token) => ExpirationLinkPages.ShowAsync(context, token, ExpirationLinkAction.Retain));
        group.MapGet("/delete/{token}", (HttpContext context, string token) => ExpirationLinkPages.ShowAsync(context, token, ExpirationLinkAction.Delete));
        group.MapPost("/retain", (HttpContext context) => ExpirationLinkPages.ConfirmAsync(context, ExpirationLinkAction.Retain));
        group.MapPost("/delete", (HttpContext context) => ExpirationLinkPages.ConfirmAsync(context, ExpirationLinkAction.Delete));
        group.WithMetadata(new Microsoft.AspNetCore.Routing.ExcludeFromDescriptionAttribute());
        return group;
    }
}
