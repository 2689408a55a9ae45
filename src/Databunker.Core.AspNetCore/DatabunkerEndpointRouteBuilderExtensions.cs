using Databunker.Core.Expiration;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Databunker.Core.AspNetCore;

/// <summary>Maps Databunker's endpoints into the host's ASP.NET Core app; each returns a builder for the host's own conventions (authorization, rate limiting).</summary>
public static partial class DatabunkerEndpointRouteBuilderExtensions
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

        var path = baseAddress.AbsolutePath.TrimEnd('/');
        var pages = new ExpirationLinkPages(new PageRenderer(path, PageOptions(endpoints.ServiceProvider), offerLanguages: false));
        var group = endpoints.MapGroup(path);
        group.MapGet("/retain/{token}", (HttpContext context, string token) => pages.ShowAsync(context, token, ExpirationLinkAction.Retain));
        group.MapGet("/delete/{token}", (HttpContext context, string token) => pages.ShowAsync(context, token, ExpirationLinkAction.Delete));
        group.MapPost("/retain", (HttpContext context) => pages.ConfirmAsync(context, ExpirationLinkAction.Retain));
        group.MapPost("/delete", (HttpContext context) => pages.ConfirmAsync(context, ExpirationLinkAction.Delete));
        pages.Pages.MapAssets(endpoints);
        group.WithMetadata(new Microsoft.AspNetCore.Routing.ExcludeFromDescriptionAttribute());
        return group;
    }

    /// <summary>
    /// Maps the DPO's JSON API under <paramref name="pattern"/>, every route behind <paramref name="authorizationPolicy"/>:
    /// <c>GET requests?state=awaitingApproval,failed&amp;limit=100&amp;after={id}</c>, <c>GET requests/{id}</c>,
    /// <c>POST requests/{id}/approve</c> (for an access or portability request the response is the export),
    /// <c>POST requests/{id}/reject</c> and <c>POST requests/{id}/extend</c> with <c>{"reason": "..."}</c>,
    /// <c>GET catalog/record</c>, <c>GET catalog/record.md</c>, <c>GET catalog/retention-notice.md</c>,
    /// <c>GET persons/{token}/audit</c> and <c>GET persons/{token}/export</c>. Calls are audited with the signed-in
    /// user's name as the actor; the approver is that name. A POST that a browser sends from another site (by its
    /// <c>Sec-Fetch-Site</c> or <c>Origin</c> header) is refused with 403, so that a DPO's cookie cannot be used by another
    /// site to approve an erasure; calls with a bearer token, and clients that send neither header, are not affected.
    /// </summary>
    /// <param name="endpoints">The host's endpoints.</param>
    /// <param name="authorizationPolicy">The name of the host's authorization policy for DPOs; required, so the API is never open by default.</param>
    /// <param name="pattern">The route prefix.</param>
    /// <returns>The group of the routes, for the host's conventions.</returns>
    /// <exception cref="ArgumentException"><paramref name="authorizationPolicy"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The policy is not registered with <c>AddAuthorization</c>.</exception>
    public static IEndpointConventionBuilder MapDatabunkerAdminApi(this IEndpointRouteBuilder endpoints, string authorizationPolicy, string pattern = "/databunker/admin")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(authorizationPolicy);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        if (endpoints.ServiceProvider.GetService<IOptions<AuthorizationOptions>>()?.Value.GetPolicy(authorizationPolicy) is null)
        {
            throw new InvalidOperationException(
                "The DPO API is mapped behind the authorization policy it is given, and no such policy is registered: add it with services.AddAuthorization(o => o.AddPolicy(...)).");
        }

        var group = endpoints.MapGroup(pattern);
        group.RequireAuthorization(authorizationPolicy);
        group.AddEndpointFilter(async (invocation, next) =>
        {
            if (AdminApi.IsCrossSiteStateChange(invocation.HttpContext.Request))
            {
                return AdminApi.CrossSiteRefused();
            }

            object? result = null;
            await AdminApi.HandleErrorsAsync(invocation.HttpContext, async () => result = await next(invocation));
            return invocation.HttpContext.Response.HasStarted ? Results.Empty : result;
        });
        group.MapGet("/requests", AdminApi.ListAsync);
        group.MapGet("/requests/{id:guid}", AdminApi.GetAsync);
        group.MapPost("/requests/{id:guid}/approve", AdminApi.ApproveAsync);
        group.MapPost("/requests/{id:guid}/reject", AdminApi.RejectAsync);
        group.MapPost("/requests/{id:guid}/extend", AdminApi.ExtendAsync);
        group.MapGet("/catalog/{document}", AdminApi.Catalog);
        group.MapGet("/persons/{token:guid}/audit", AdminApi.AuditTrailAsync);
        group.MapGet("/persons/{token:guid}/export", AdminApi.ExportAsync);
        group.WithMetadata(new Microsoft.AspNetCore.Routing.ExcludeFromDescriptionAttribute());
        return group;
    }

    /// <summary>
    /// Maps the DPO console under <paramref name="pattern"/>, every page behind <paramref name="authorizationPolicy"/>: the
    /// request queue with its filters and each request's page (approve, reject, extend, carry out), the person lookup
    /// (with a stated reason, written to the audit trail and shown in the person's history), the catalogue and its
    /// documents, the consent overview and the operations page (due-work passes, backlog, audit chain, keys). The pages
    /// are server-rendered on the portal's layout, stylesheet, brand and languages (<see cref="DatabunkerPageOptions"/>),
    /// with the same headers (<c>no-store</c>, a Content-Security-Policy without script); every form posts an antiforgery
    /// token. Each page runs as the signed-in user (<c>ClaimsIdentity.Name</c>, which the vault records as the actor and
    /// the approver) and each view is audited (<c>console.*</c>).
    /// </summary>
    /// <param name="endpoints">The host's endpoints.</param>
    /// <param name="authorizationPolicy">The name of the host's authorization policy for DPOs; required, so the console is never open by default.</param>
    /// <param name="pattern">The route prefix.</param>
    /// <returns>The group of the routes, for the host's conventions.</returns>
    /// <exception cref="ArgumentException"><paramref name="authorizationPolicy"/> or <paramref name="pattern"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The policy is not registered with <c>AddAuthorization</c>, or the antiforgery services are not.</exception>
    public static IEndpointConventionBuilder MapDatabunkerDpoConsole(this IEndpointRouteBuilder endpoints, string authorizationPolicy, string pattern = "/databunker/dpo")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(authorizationPolicy);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var services = endpoints.ServiceProvider;
        if (services.GetService<IOptions<AuthorizationOptions>>()?.Value.GetPolicy(authorizationPolicy) is null)
        {
            throw new InvalidOperationException(
                "The DPO console is mapped behind the authorization policy it is given, and no such policy is registered: add it with services.AddAuthorization(o => o.AddPolicy(...)).");
        }

        if (services.GetService<IAntiforgery>() is null)
        {
            throw new InvalidOperationException("The DPO console's forms post antiforgery tokens: call services.AddAntiforgery().");
        }

        var path = pattern.TrimEnd('/');
        var console = new DpoConsole(path, new PageRenderer(path, PageOptions(services)));
        console.Pages.MapAssets(endpoints);
        var group = endpoints.MapGroup(path);
        group.RequireAuthorization(authorizationPolicy);
        group.MapGet("/", console.QueuePageAsync);
        group.MapGet("/requests/{id:guid}", console.RequestPageAsync);
        group.MapPost("/requests/{id:guid}", console.RequestActionAsync);
        group.MapGet("/people", console.LookupPageAsync);
        group.MapPost("/people", console.LookupAsync);
        group.MapPost("/people/{token:guid}", console.PersonActionAsync);
        group.MapGet("/catalogue", console.CataloguePageAsync);
        group.MapGet("/catalogue/{document}", console.CatalogueDocumentAsync);
        group.MapGet("/consents", console.ConsentsPageAsync);
        group.MapGet("/operations", console.OperationsPageAsync);
        group.MapPost("/operations/verify", console.VerifyAsync);
        group.MapPost("/operations/minimisation", console.MinimisationAsync);
        group.WithMetadata(new Microsoft.AspNetCore.Routing.ExcludeFromDescriptionAttribute());
        return group;
    }

    /// <summary>
    /// Maps the privacy portal under <paramref name="pattern"/>: server-rendered pages where a person sees their data
    /// (profile and app data), gives and withdraws consents, sends and follows requests, downloads their data, signs out
    /// their other sessions, reads their history and deletes their account. People sign in with the host's own
    /// authentication when <see cref="PrivacyPortalOptions.ResolvePerson"/> is set, otherwise with a one-time code sent
    /// through the host's <see cref="IPortalCodeSender"/> (<c>GET/POST signin</c>, <c>POST signin/code</c>).
    /// </summary>
    /// <param name="endpoints">The host's endpoints.</param>
    /// <param name="pattern">The route prefix.</param>
    /// <param name="configure">Sets the portal's options.</param>
    /// <returns>The group of the routes, for the host's conventions (<c>RequireRateLimiting</c> on the sign-in, say).</returns>
    /// <exception cref="InvalidOperationException">The antiforgery services are not registered, or neither a resolver nor a code sender is.</exception>
    /// <exception cref="OptionsValidationException">An option is out of its range; the message names each.</exception>
    public static IEndpointConventionBuilder MapDatabunkerPrivacyPortal(this IEndpointRouteBuilder endpoints, string pattern = "/privacy/portal", Action<PrivacyPortalOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var services = endpoints.ServiceProvider;
        var options = services.GetRequiredService<IOptions<PrivacyPortalOptions>>().Value;
        configure?.Invoke(options);
        if (new PrivacyPortalOptionsValidator().Validate(Options.DefaultName, options) is { Failed: true } invalid)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(PrivacyPortalOptions), invalid.Failures);
        }

        if (services.GetService<IAntiforgery>() is null)
        {
            throw new InvalidOperationException("The privacy portal's forms post antiforgery tokens: call services.AddAntiforgery().");
        }

        if (options.CorrectableFields.Any(f => !FieldName().IsMatch(f)) || options.CorrectableFields.Distinct(StringComparer.Ordinal).Count() != options.CorrectableFields.Count
            || options.FieldsCheckedFirst.Except(options.CorrectableFields, StringComparer.Ordinal).Any())
        {
            throw new InvalidOperationException(
                "PrivacyPortalOptions.CorrectableFields must name each profile field once (1 to 64 letters, digits, '_' or '-'), and FieldsCheckedFirst only fields among them.");
        }

        // With the portal's own sign-in, the address is what signs the person in: a change made at once from a stolen
        // session would send every later code to the thief. It must be checked first.
        if (options.ResolvePerson is null && options.CorrectableFields.Contains("email") && !options.FieldsCheckedFirst.Contains("email"))
        {
            throw new InvalidOperationException(
                "The portal signs people in with a code sent to their email address, so a correction of \"email\" must be checked first: add it to PrivacyPortalOptions.FieldsCheckedFirst.");
        }

        if (options.ResolvePerson is null && services.GetService<IPortalCodeSender>() is null)
        {
            throw new InvalidOperationException(
                "The privacy portal signs people in with the host's authentication (PrivacyPortalOptions.ResolvePerson) or with a one-time code: register an IPortalCodeSender.");
        }

        var path = pattern.TrimEnd('/');
        var time = services.GetRequiredService<TimeProvider>();
        var portal = new PrivacyPortal(
            path,
            CodeQueue(services, options),
            new CodeRequestLimiter(time, options.CodeRequestLimits),
            new CodeRequestLimiter(time, new PortalCodeRequestLimits { PerAddress = options.MaxCorrectionsPerHour, PerClient = 0, Overall = 0, Window = TimeSpan.FromHours(1) }),
            new PageRenderer(path, PageOptions(services)));
        var group = endpoints.MapGroup(portal.BasePath);
        portal.Pages.MapAssets(endpoints);
        if (options.ResolvePerson is null)
        {
            var signIn = group.MapGroup("/signin");
            signIn.MapGet("/", portal.SignInPageAsync);
            signIn.MapPost("/", portal.SignInAsync);
            signIn.MapPost("/code", portal.VerifyCodeAsync);
            if (options.SignInRateLimitPolicy is { } policy)
            {
                signIn.RequireRateLimiting(policy);
            }
        }

        group.MapPost("/signout", portal.SignOutAsync);
        group.MapGet("/", portal.DataPageAsync);
        if (options.CorrectableFields.Count > 0)
        {
            group.MapGet("/correct", portal.CorrectPageAsync);
            group.MapPost("/correct", portal.CorrectAsync);
        }

        group.MapGet("/consents", portal.ConsentsPageAsync);
        group.MapPost("/consents", portal.ConsentAsync);
        group.MapGet("/requests", portal.RequestsPageAsync);
        group.MapPost("/requests", portal.RequestAsync);
        group.MapGet("/export", portal.ExportAsync);
        group.MapGet("/sessions", portal.SessionsPageAsync);
        group.MapPost("/sessions", portal.EndSessionAsync);
        group.MapGet("/history", portal.HistoryPageAsync);
        group.MapGet("/delete", portal.DeletePageAsync);
        group.MapPost("/delete", portal.DeleteAsync);
        group.WithMetadata(new Microsoft.AspNetCore.Routing.ExcludeFromDescriptionAttribute());
        return group;
    }

    /// <summary>The pages' look and words (<see cref="DatabunkerPageOptions"/>), as the host configured them.</summary>
    private static DatabunkerPageOptions PageOptions(IServiceProvider services) =>
        services.GetService<IOptions<DatabunkerPageOptions>>()?.Value ?? new DatabunkerPageOptions();

    /// <summary>The portal's queue of sign-in codes, drained when the host has stopped (within its shutdown timeout).</summary>
    private static PortalCodeQueue CodeQueue(IServiceProvider services, PrivacyPortalOptions options)
    {
        var queue = new PortalCodeQueue(
            services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<ILoggerFactory>().CreateLogger("Databunker.Core.AspNetCore"), options.CodeQueueCapacity);
        var timeout = services.GetService<IOptions<HostOptions>>()?.Value.ShutdownTimeout ?? TimeSpan.FromSeconds(30);
        if (services.GetService<IHostApplicationLifetime>() is { } lifetime)
        {
            // Once the server has stopped taking requests, before the services are disposed. Callbacks run last registered
            // first, so the drain is registered after the disposal.
            lifetime.ApplicationStopped.Register(queue.Dispose);
            lifetime.ApplicationStopped.Register(() => queue.Drain(timeout));
        }

        return queue;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z")]
    private static partial System.Text.RegularExpressions.Regex FieldName();
}
