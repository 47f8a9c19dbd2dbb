using AuditPortal.Core.Approvals;

namespace AuditPortal.Web.Infrastructure;

/// <summary>Records the expiry of open requests past Approvals:ExpiryHours (<see cref="ApprovalService.ExpireDueAsync"/>).</summary>
public sealed class ApprovalExpiry(ApprovalService approvals, TimeProvider time, IConfiguration configuration, ILogger<ApprovalExpiry> logger)
    : ExpiryRecorder(time, configuration, logger, "Approvals:ExpiryCheckSeconds", "the expiry of approval requests")
{
    protected override Task<int> RecordDueAsync(CancellationToken ct) => approvals.ExpireDueAsync(ct);
}
