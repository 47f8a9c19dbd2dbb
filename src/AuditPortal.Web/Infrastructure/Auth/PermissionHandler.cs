using AuditPortal.Core.Common;

namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>
/// Asks <see cref="PortalAccess.IsAllowedAsync"/> (the portal's list folded from its events) on every evaluation
/// (each request and each navigation of a circuit), never claims frozen at sign-in and never the writable read model:
/// a revocation closes pages at the user's next navigation, and a forged read-model row grants nothing.
/// </summary>
public sealed class PermissionHandler(IDocumentStore store, ILogger<PermissionHandler> logger) : AuthorizationHandler<PermissionRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (context.User.Identity is not { IsAuthenticated: true, Name: { Length: > 0 } name } || AccountNames.IsReserved(name)) return;
        await using var session = store.QuerySession();
        var actor = new Actor(name, "");
        foreach (var permission in requirement.AnyOf)
        {
            if (!await PortalAccess.IsAllowedAsync(session, actor, permission, CancellationToken.None)) continue;
            context.Succeed(requirement);
            return;
        }
        await CommandExecutor.ReportTamperingAsync(session, logger, CancellationToken.None);
    }
}
