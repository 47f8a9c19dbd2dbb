using AuditPortal.Core.Common;

namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>Authorization policy names: one per permission of the portal's list, plus the composites.</summary>
public static class Policies
{
    public const string SignedIn = nameof(SignedIn);
    public const string ReadWallets = nameof(Permission.ReadWallets);
    public const string GrantCredits = nameof(Permission.GrantCredits);
    public const string SpendCredits = nameof(Permission.SpendCredits);
    public const string ReadJobs = nameof(Permission.ReadJobs);
    public const string ReadAudit = nameof(Permission.ReadAudit);
    public const string ExportAudit = nameof(Permission.ExportAudit);
    public const string EditAccessControl = nameof(Permission.EditAccessControl);
    public const string ManageProjections = nameof(Permission.ManageProjections);
    public const string ApproveChanges = nameof(Permission.ApproveChanges);

    /// <summary>The approvals page: whoever may ask for a change that needs a second person, approve one, or audit.</summary>
    public const string ViewApprovals = nameof(ViewApprovals);

    /// <summary>Auditors "read everything": they may open the access-control pages, where editing stays hidden and refused.</summary>
    public const string ViewAccessControl = nameof(ViewAccessControl);

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(SignedIn, p => p.RequireAuthenticatedUser());
        foreach (var permission in Enum.GetValues<Permission>())
            options.AddPolicy(permission.ToString(), p => p.RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(permission)));
        options.AddPolicy(ViewAccessControl, p => p.RequireAuthenticatedUser()
            .AddRequirements(new PermissionRequirement(Permission.EditAccessControl, Permission.ReadAudit)));
        options.AddPolicy(ViewApprovals, p => p.RequireAuthenticatedUser()
            .AddRequirements(new PermissionRequirement(Core.Approvals.ApprovalQueries.Viewers)));
    }
}

/// <summary>Met when the user holds any of the permissions on the portal's list.</summary>
public sealed class PermissionRequirement(params Permission[] anyOf) : IAuthorizationRequirement
{
    public IReadOnlyList<Permission> AnyOf { get; } = anyOf;
}

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
