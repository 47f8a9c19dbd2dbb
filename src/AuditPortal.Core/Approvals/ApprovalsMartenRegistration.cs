using JasperFx.Events.Projections;

namespace AuditPortal.Core.Approvals;

public static class ApprovalsMartenRegistration
{
    public static StoreOptions AddApprovals(this StoreOptions opts)
    {
        // Inline: the decision and the row change in one transaction, so a second approver reads "approved", not "pending".
        opts.Projections.Add<ApprovalRequestViewProjection>(ProjectionLifecycle.Inline);
        // The page's filters and the navigation count: pending first, newest first, by requester or by target.
        opts.Schema.For<ApprovalRequestView>().Duplicate(x => x.Status, notNull: true).Duplicate(x => x.RequestedAt, notNull: true)
            .Index(x => x.RequesterKey).Index(x => x.TargetId).Index(x => x.ExpiresAt);
        return opts;
    }
}
