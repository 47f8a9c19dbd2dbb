namespace AuditPortal.Core.AccessControl;

/// <summary>The three personas are bundles of permissions on the portal's own list.</summary>
public static class Personas
{
    public static readonly Permission[] Support = [Permission.ReadWallets, Permission.GrantCredits, Permission.SpendCredits, Permission.ReadJobs];
    public static readonly Permission[] Auditor = [Permission.ReadWallets, Permission.ReadJobs, Permission.ReadAudit, Permission.ExportAudit];
    public static readonly Permission[] Admin = Enum.GetValues<Permission>();
}
