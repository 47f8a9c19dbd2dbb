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
    /// <summary>Approves or rejects another person's request that needs a second person (four eyes, see Approvals).</summary>
    ApproveChanges,
}
