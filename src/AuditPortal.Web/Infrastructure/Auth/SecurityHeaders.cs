namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>Response headers for a Blazor Server app with MudBlazor.</summary>
public static class SecurityHeaders
{
    // blazor.web.js and MudBlazor's script are files on this origin; MudBlazor sets inline styles; the circuit is a
    // WebSocket to this origin. No frames, no plugins, forms only to this origin.
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public static Task ApplyAsync(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
        return next();
    }
}
