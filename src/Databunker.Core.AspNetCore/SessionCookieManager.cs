using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// The cookie manager of a scheme whose tickets live in the vault: it passes everything to the scheme's own manager, except
/// that a response cookie naming a session that <see cref="VaultTicketStore"/> replaced during the request is rewritten to
/// name the new session. Cookie authentication decides the key it writes before the store is asked to renew, and
/// <see cref="ITicketStore.RenewAsync(string, AuthenticationTicket)"/> cannot return another one; this is where the new
/// key gets into the cookie.
/// </summary>
internal sealed class SessionCookieManager(ICookieManager inner, CookieAuthenticationOptions scheme) : ICookieManager
{
    // The claim cookie authentication puts the session key in (CookieAuthenticationHandler.SessionIdClaim).
    private const string SessionIdClaim = "Microsoft.AspNetCore.Authentication.Cookies-SessionId";
    private static readonly object ReplacedKey = new();
    private static readonly object SigningInKey = new();

    /// <summary>Notes that the request is signing someone in (cookie authentication's <c>OnSigningIn</c>).</summary>
    public static void MarkSigningIn(HttpContext context) => context.Items[SigningInKey] = true;

    /// <summary>Whether the request is signing someone in.</summary>
    public static bool IsSigningIn(HttpContext context) => context.Items.ContainsKey(SigningInKey);

    /// <summary>Notes, for this request, that the session <paramref name="oldKey"/> gave way to <paramref name="newKey"/>.</summary>
    public static void Replace(HttpContext context, string oldKey, string newKey) =>
        context.Items[ReplacedKey] = (oldKey, newKey);

    public string? GetRequestCookie(HttpContext context, string key) => inner.GetRequestCookie(context, key);

    public void AppendResponseCookie(HttpContext context, string key, string? value, CookieOptions options) =>
        inner.AppendResponseCookie(context, key, key == scheme.Cookie.Name ? Rewrite(context, value) : value, options);

    public void DeleteCookie(HttpContext context, string key, CookieOptions options) => inner.DeleteCookie(context, key, options);

    private string? Rewrite(HttpContext context, string? value)
    {
        if (value is null || context.Items[ReplacedKey] is not ValueTuple<string, string> (var oldKey, var newKey))
        {
            return value;
        }

        var ticket = scheme.TicketDataFormat.Unprotect(value);
        if (ticket?.Principal.FindFirst(SessionIdClaim) is not { } claim || claim.Value != oldKey)
        {
            // Not the cookie of the replaced session: written as it is. If it did name the old session, that session has
            // ended, so the worst outcome is a browser that is signed out.
            return value;
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(SessionIdClaim, newKey, ClaimValueTypes.String, claim.Issuer)], claim.Issuer));
        return scheme.TicketDataFormat.Protect(new AuthenticationTicket(principal, null, ticket.AuthenticationScheme));
    }
}
