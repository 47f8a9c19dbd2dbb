using AuditPortal.Core.Common;
using AuditPortal.Core.ServiceTokens;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// The feed for security tools, <c>GET /api/audit/feed?after=&amp;limit=</c> (NDJSON, docs/audit-feed.md): its address,
/// query and answers. Who may call it is <see cref="SiemFeedRegistration"/>'s (a token or a cookie) and
/// <see cref="SiemFeed"/>'s (ExportAudit).
/// </summary>
public static class SiemFeedEndpoint
{
    public const string Path = "/api/audit/feed";

    public const string HighWaterHeader = "X-Feed-High-Water";

    public static IEndpointRouteBuilder MapSiemFeed(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, FeedAsync).RequireAuthorization(SiemFeedRegistration.Policy).RefusalsAre403();
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
