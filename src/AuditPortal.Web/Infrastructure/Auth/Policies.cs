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
