using AuditPortal.Core.Common;
using AuditPortal.Core.ServiceTokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// The feed for security tools, <c>GET /api/audit/feed?after=&amp;limit=</c> (NDJSON, docs/audit-feed.md): the only endpoint
/// that accepts a bearer token (<see cref="ServiceTokenAuthentication"/>); a signed-in person's cookie works too. Every other
/// endpoint authenticates with the cookie alone (the default scheme), so a token opens nothing else.
/// </summary>
public static class SiemFeedRegistration
{
    public const string Path = "/api/audit/feed";

    /// <summary>The endpoint's policy: a signed-in person or a valid token; ExportAudit is checked by <see cref="SiemFeed"/>.</summary>
    public const string Policy = "AuditFeed";

    /// <summary>The feed's scheme: the bearer token when the request carries one, else the cookie; challenges answer 401.</summary>
    public const string Scheme = "AuditFeed";

    public const string HighWaterHeader = "X-Feed-High-Water";

    public static IServiceCollection AddSiemFeed(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ServiceTokenAuthentication>(ServiceTokenAuthentication.SchemeName, null)
            .AddPolicyScheme(Scheme, null, o =>
            {
                o.ForwardDefaultSelector = http => ServiceTokenAuthentication.BearerOf(http.Request) is not null
                    ? ServiceTokenAuthentication.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme;
                // A machine is told 401, never redirected to the sign-in form.
                o.ForwardChallenge = ServiceTokenAuthentication.SchemeName;
            });
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return services;
    }

    public static IEndpointRouteBuilder MapSiemFeed(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, FeedAsync).RequireAuthorization(Policy).RefusalsAre403();
        return app;
    }

    private static async Task FeedAsync(HttpContext http, SiemFeed feed)
    {
        var ct = http.RequestAborted;
        http.Response.Headers.CacheControl = "no-store";
        var (after, limit, error) = Parse(http.Request.Query["after"], http.Request.Query["limit"]);
        if (error is not null)
        {
            await PlainAsync(http, StatusCodes.Status400BadRequest, error);
            return;
        }
        SiemFeedCaller? caller = http.Items[ServiceTokenAuthentication.AccessItem] is ServiceTokenAccess access
            ? new SiemFeedCaller.Service(access)
            // A cookie: only a person's own name, never one the command services would trust as the system.
            : http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } && !AccountNames.IsReserved(name)
                ? new SiemFeedCaller.Person(new Actor(name, http.TraceIdentifier))
                : null;
        if (caller is null)
        {
            await PlainAsync(http, StatusCodes.Status403Forbidden, "Sign in or present a token that holds ExportAudit to read the audit feed.");
            return;
        }
        // A caller without ExportAudit is refused before the first byte: 403 (RefusalsAre403).
        await feed.WriteAsync(caller, after, limit, http.Response.Body, highWater =>
        {
            http.Response.ContentType = "application/x-ndjson; charset=utf-8";
            http.Response.Headers[HighWaterHeader] = highWater.ToString(CultureInfo.InvariantCulture);
        }, ct);
    }

    /// <summary>The query: <c>after</c> a sequence (default 0, the start), <c>limit</c> 1 to <see cref="SiemFeed.MaxLimit"/> (default <see cref="SiemFeed.DefaultLimit"/>).</summary>
    public static (long After, int Limit, string? Error) Parse(string? after, string? limit)
    {
        long a = 0;
        if (!string.IsNullOrEmpty(after) && (after.Length > 19 || !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out a)))
            return (0, 0, $"\"after\" must be a sequence number (a whole number ≥ 0, the \"next\" of the previous page); got \"{Short(after)}\".");
        var l = SiemFeed.DefaultLimit;
        if (!string.IsNullOrEmpty(limit) && (limit.Length > 6 || !int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out l) || l is < 1 or > SiemFeed.MaxLimit))
            return (0, 0, $"\"limit\" must be a whole number from 1 to {SiemFeed.MaxLimit:N0} (default {SiemFeed.DefaultLimit:N0}); got \"{Short(limit)}\".");
        return (a, l, null);
    }

    private static string Short(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private static async Task PlainAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(message, http.RequestAborted);
    }
}
