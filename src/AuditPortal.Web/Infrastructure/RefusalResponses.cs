using AuditPortal.Core.AccessControl;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// The one way an HTTP endpoint answers a refusal by <see cref="PortalAccess"/>: 403 with the refusal's message as plain
/// text. The read services check before they write anything, so the response has not started when they refuse.
/// </summary>
public static class RefusalResponses
{
    public static TBuilder RefusalsAre403<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (AccessDeniedException e) when (!context.HttpContext.Response.HasStarted)
            {
                context.HttpContext.Response.Headers.CacheControl = "no-store";
                return Results.Text(e.Message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);
            }
        });
}
