namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>Response headers for a Blazor Server app with MudBlazor.</summary>
public static class SecurityHeaders
{
    // blazor.web.js and MudBlazor's script are files on this origin; MudBlazor sets inline styles; the circuit is a
    // WebSocket to this origin, which 'self' covers (CSP Level 3: ws/wss of the same host; checked by the Chromium
    // browser tests). No other host, no frames, no plugins, forms only to this origin.
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public static Task ApplyAsync(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
        // Whatever a signed-in user sees (pages, exports, health detail, the circuit's negotiation) never lands in a
        // shared or browser cache; decided when the headers go out, after the endpoint set its own. Only the public
        // static files keep their caching.
        context.Response.OnStarting(() =>
        {
            if (context.User.Identity?.IsAuthenticated == true && context.GetEndpoint()?.Metadata.GetMetadata<PublicStaticAsset>() is null)
            {
                context.Response.Headers.CacheControl = "no-store";
                context.Response.Headers.Pragma = "no-cache";
            }
            return Task.CompletedTask;
        });
        return next();
    }
}
