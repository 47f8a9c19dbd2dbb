using AuditPortal.Core.Common;
using Microsoft.AspNetCore.Authorization.Policy;

namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>
/// A request a signed-in user is refused by a permission policy (a page's or an endpoint's, e.g. an export) is a
/// read refused on the server: recorded on the user's access log like any other (<see cref="ReadRefusals"/>, coalesced
/// per user, path and minute), then answered as before. Anonymous requests are challenged, never recorded: there is
/// nobody to name.
/// </summary>
public sealed class RefusedRequests(IDocumentStore store, ILogger<RefusedRequests> logger) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden
            && context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } && !AccountNames.IsReserved(name)
            && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<PermissionRequirement>().FirstOrDefault() is { } failed)
        {
            await ReadRefusals.RecordAsync(store, new Actor(name, context.TraceIdentifier), $"{context.Request.Method} {context.Request.Path}",
                failed.AnyOf[0], context.RequestAborted, logger);
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
