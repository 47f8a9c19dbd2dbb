using AuditPortal.Core.Common;
using Microsoft.AspNetCore.WebUtilities;

namespace AuditPortal.Web.Infrastructure;

public static class AccessControlRegistration
{
    /// <summary>Services of the AccessControl pages.</summary>
    public static IServiceCollection AddAccessControlPages(this IServiceCollection services)
    {
        services.AddPortalReads<IAccessControlReads, AccessControlQueries>();
        services.AddSingleton<IAccessControlCommands>(sp => sp.GetRequiredService<AccessControlService>());
        services.AddHealthChecks().AddCheck<AccessControlIntegrityHealthCheck>("access-control");
        services.AddHostedService<PermissionExpiry>();
        return services;
    }

    /// <summary>
    /// The access review as CSV, for signed-in users holding EditAccessControl or ReadAudit (the endpoint policy, then
    /// again at the moment the download starts, which records the start as an audit export is recorded; the end too).
    /// </summary>
    public static IEndpointRouteBuilder MapAccessControlEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/access-control/review.csv", ReviewCsvAsync).RequireAuthorization(Policies.ViewAccessControl).RefusalsAre403();
        return app;
    }

    private static async Task ReviewCsvAsync(HttpContext http, IDocumentStore store, AuditExports exports, TimeProvider time)
    {
        var ct = http.RequestAborted;
        http.Response.Headers.CacheControl = "no-store";
        // As the audit export: only the signed-in user, never a name the command services would trust as the system.
        if (http.User.Identity is not { IsAuthenticated: true, Name: { Length: > 0 } name } || AccountNames.IsReserved(name))
        {
            await PlainAsync(http, StatusCodes.Status403Forbidden, "Sign in with an account that holds EditAccessControl or ReadAudit to export the access review.");
            return;
        }
        var (filter, error) = AccessReviewQuery.Parse(http.Request.Query["person"], http.Request.Query["permission"], http.Request.Query["timeBound"], http.Request.Query["idleDays"]);
        if (filter is null)
        {
            await PlainAsync(http, StatusCodes.Status400BadRequest, error!);
            return;
        }
        var actor = new Actor(name, http.TraceIdentifier);
        var exportId = Guid.CreateVersion7();
        var started = await exports.StartAccessReviewAsync(actor, exportId, filter, ct);
        if (!started.Succeeded)
        {
            await PlainAsync(http, started.Status == CommandStatus.Forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status503ServiceUnavailable,
                started.Status == CommandStatus.Forbidden ? "You need EditAccessControl or ReadAudit to export the access review." : started.Message);
            return;
        }
        var rows = 0;
        var aborted = true;
        try
        {
            IReadOnlyList<AccessReviewRow> review;
            // The start above checked the permission at this moment; the rows are read right after it.
            await using (var session = store.QuerySession()) review = await AccessControlQueries.ReviewAsync(session, filter, ct);
            var stamp = time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"access-review-{stamp}.csv\"";
            rows = await AccessReviewCsv.WriteAsync(review, http.Response.Body, ct);
            aborted = false;
        }
        finally
        {
            await exports.CompleteAsync(actor, exportId, rows, truncated: false, aborted, CancellationToken.None);
        }
    }

    private static async Task PlainAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(message, http.RequestAborted);
    }
}
