namespace AuditPortal.Core.AccessControl;

public enum Permission
{
    ReadWallets,
    GrantCredits,
    SpendCredits,
    ReadJobs,
    ReadAudit,
    ExportAudit,
    EditAccessControl,
    ManageProjections,
}
