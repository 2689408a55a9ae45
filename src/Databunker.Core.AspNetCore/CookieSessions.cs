using System.Security.Claims;
using System.Text.Json;
using Databunker.Core.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Databunker.Core.AspNetCore;

/// <summary>Options of the server-side cookie sessions (<see cref="DatabunkerCookieSessionExtensions.AddDatabunkerCookieSessions"/>).</summary>
public sealed class DatabunkerCookieSessionOptions
{
    /// <summary>
    /// The claim whose value is the person's token (a GUID): a ticket with it is bound to that person, so their sessions are
    /// listed and ended per person and go when they are forgotten. A ticket without it is an anonymous session.
    /// </summary>
    /// <value><see cref="ClaimTypes.NameIdentifier"/>.</value>
    public string PersonClaimType { get; set; } = ClaimTypes.NameIdentifier;
}

/// <summary>Registers the vault's session store as the ticket store of cookie authentication.</summary>
public static class DatabunkerCookieSessionExtensions
{
    /// <summary>
    /// Keeps the cookie authentication tickets of <paramref name="scheme"/> in the vault's sessions
    /// (<see cref="ISessionManager"/>) instead of in the cookie: the cookie carries only a session id of 256 random bits, the
    /// ticket (claims and properties) is sealed in the vault, the person's sessions can be listed and ended
    /// (<see cref="ISessionManager.ListAsync"/>, <see cref="ISessionManager.EndAllAsync"/>), expired ones are swept by the
    /// due-work pass, and all go when the person is forgotten. Idle and absolute lifetimes are those of
    /// <see cref="SessionOptions"/>.
    /// </summary>
    /// <param name="services">The host's services, with <c>AddDatabunker()</c> and <c>AddAuthentication().AddCookie()</c>.</param>
    /// <param name="scheme">The cookie scheme.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddDatabunkerCookieSessions(
        this IServiceCollection services, string scheme = CookieAuthenticationDefaults.AuthenticationScheme, Action<DatabunkerCookieSessionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(scheme);
        services.AddOptions<DatabunkerCookieSessionOptions>().Configure(o => configure?.Invoke(o));
        services.TryAddSingleton<VaultTicketStore>();
        services.AddOptions<CookieAuthenticationOptions>(scheme)
            .Configure<VaultTicketStore>((cookie, store) => cookie.SessionStore = store)
            .PostConfigure(cookie =>
            {
                cookie.CookieManager = new SessionCookieManager(cookie.CookieManager ?? new ChunkingCookieManager(), cookie);

                // Every sign-in gets a new session id, whoever signs in: the request is marked before the store renews.
                var signingIn = cookie.Events.OnSigningIn;
                cookie.Events.OnSigningIn = context =>
                {
                    SessionCookieManager.MarkSigningIn(context.HttpContext);
                    return signingIn(context);
                };
            });
        return services;
    }
}

/// <summary>Cookie authentication's <see cref="ITicketStore"/> on the vault's sessions: the key is the session id.</summary>
internal sealed class VaultTicketStore(ISessionManager sessions, IOptions<DatabunkerCookieSessionOptions> options) : ITicketStore
{
    private const string TicketProperty = "ticket";

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, CancellationToken.None);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var created = await sessions.CreateAsync(Serialize(ticket), new SessionCreateOptions { Person = PersonOf(ticket) }, cancellationToken).ConfigureAwait(false);
        return created.SessionId;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewCoreAsync(key, ticket, httpContext: null, CancellationToken.None);

    public Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken) => RenewCoreAsync(key, ticket, httpContext: null, cancellationToken);

    public Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken) =>
        RenewCoreAsync(key, ticket, httpContext, cancellationToken);

    /// <summary>
    /// Renews a ticket under its key, unless the request is a sign-in or the ticket is for someone else than the session
    /// holds (another person or principal, or a person on an anonymous session): cookie authentication renews the request's
    /// session at every sign-in, so reusing the key would leave a cookie planted before sign-in (session fixation) valid for
    /// whoever signs in. Such a ticket gets a new session, the old one ends, and the response's cookie is rewritten to the
    /// new key (<see cref="SessionCookieManager"/>). A sliding refresh of the same principal keeps its key, so that the
    /// browser's concurrent requests still name a live session.
    /// </summary>
    private async Task RenewCoreAsync(string key, AuthenticationTicket ticket, HttpContext? httpContext, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var person = PersonOf(ticket);
        var current = await sessions.GetAsync(key, touch: false, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            // Ended or expired meanwhile: the next request finds no ticket and signs the user out.
            return;
        }

        var signingIn = httpContext is not null && SessionCookieManager.IsSigningIn(httpContext);
        if (!signingIn && current.Person == person && TicketOf(current) is { } stored && Identity(stored.Principal) == Identity(ticket.Principal))
        {
            try
            {
                await sessions.ReplaceAsync(key, Serialize(ticket), expectedVersion: null, cancellationToken).ConfigureAwait(false);
            }
            catch (SessionNotFoundException)
            {
                // Ended between the read and the write: as above.
            }

            return;
        }

        // Without the request there is no cookie to rewrite: the old session still ends, which signs the browser out.
        if (httpContext is not null)
        {
            var created = await sessions.CreateAsync(Serialize(ticket), new SessionCreateOptions { Person = person }, cancellationToken).ConfigureAwait(false);
            SessionCookieManager.Replace(httpContext, key, created.SessionId);
        }

        await sessions.EndAsync(key, cancellationToken).ConfigureAwait(false);
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, CancellationToken.None);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken)
    {
        var session = await sessions.GetAsync(key, touch: true, cancellationToken).ConfigureAwait(false);
        return session is null ? null : TicketOf(session);
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, CancellationToken.None);

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => sessions.EndAsync(key, cancellationToken);

    private static JsonElement Serialize(AuthenticationTicket ticket)
    {
        var bytes = TicketSerializer.Default.Serialize(ticket);
        try
        {
            return JsonSerializer.SerializeToElement(new Dictionary<string, string> { [TicketProperty] = Convert.ToBase64String(bytes) }, SessionJson.Default.DictionaryStringString);
        }
        finally
        {
            Array.Clear(bytes);
        }
    }

    private static AuthenticationTicket? TicketOf(Session session) =>
        session.Data.ValueKind == JsonValueKind.Object && session.Data.TryGetProperty(TicketProperty, out var value) && value.ValueKind == JsonValueKind.String
            ? TicketSerializer.Default.Deserialize(value.GetBytesFromBase64())
            : null;

    /// <summary>Who a principal is, for telling a renewal from someone else's ticket: each identity's scheme, name identifier and name.</summary>
    private static string Identity(ClaimsPrincipal principal) => string.Join('\u001e', principal.Identities.Select(i =>
        string.Join('\u001f', i.AuthenticationType, i.FindFirst(ClaimTypes.NameIdentifier)?.Value, i.Name)));

    private Guid? PersonOf(AuthenticationTicket ticket) =>
        Guid.TryParse(ticket.Principal.FindFirst(options.Value.PersonClaimType)?.Value, out var person) ? person : null;
}
