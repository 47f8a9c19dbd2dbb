namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// Records the end of time-bound grants (<see cref="AccessControlService.ExpireDueAsync"/>). Authorization does not wait
/// for it (the fold ends a grant at its instant); it writes the history.
/// </summary>
public sealed class PermissionExpiry(AccessControlService acl, TimeProvider time, IConfiguration configuration, ILogger<PermissionExpiry> logger)
    : ExpiryRecorder(time, configuration, logger, "AccessControl:ExpiryCheckSeconds", "the end of time-bound grants")
{
    protected override Task<int> RecordDueAsync(CancellationToken ct) => acl.ExpireDueAsync(ct);
}
