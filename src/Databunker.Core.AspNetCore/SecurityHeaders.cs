using Microsoft.AspNetCore.Http;

namespace Databunker.Core.AspNetCore;

/// <summary>The headers of every page this package renders: never cached, never referred, never indexed or framed, no script, no inline style.</summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// No script and nothing from elsewhere: stylesheets and images from this origin only (the package's stylesheet, the
    /// host's brand), never inline; forms post to this origin only.
    /// </summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.CacheControl = "no-cache, no-store";
        headers.Pragma = "no-cache";
        headers["Referrer-Policy"] = "no-referrer";
        headers["X-Robots-Tag"] = "noindex, nofollow";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
    }
}
