using Marten.Events.Aggregation;

namespace AuditPortal.Core.Approvals;

/// <summary>
/// One row of the approvals page, the wallet page's requests and the navigation count. Inline, like the access-control
/// list: a request and its decision are visible to the very next read, so a second approver never sees a stale "pending".
/// </summary>
public sealed class ApprovalRequestView
{
    public Guid Id { get; set; }
    public ApprovalAction Action { get; set; }
    public Guid TargetId { get; set; }
    public string TargetName { get; set; } = "";
    public int? Amount { get; set; }
    public string? Principal { get; set; }
    public Permission? Permission { get; set; }
    /// <summary>The end of the permission a grant request asks for (null: no end).</summary>
    public DateTimeOffset? Until { get; set; }
    public string Reason { get; set; } = "";
    public string RequestedBy { get; set; } = "";
    /// <summary>The requester as one person (<see cref="ApprovalDecisions.SamePerson"/>), for "mine" and "to approve".</summary>
    public string RequesterKey { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public ApprovalStatus Status { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    /// <summary>The rejection's or withdrawal's reason, the approver's note, or why the last approval was refused.</summary>
    public string? Outcome { get; set; }
    /// <summary>The correlation of the request: its decision and the change carry the same one (the explorer links them).</summary>
    public string? CorrelationId { get; set; }
    public long Version { get; set; }

    public string Describe() => ApprovalText.Describe(Action, Amount, Principal, Permission, Until);

    public static string KeyOf(string userName) => userName.Trim().ToLowerInvariant();
}

public sealed partial class ApprovalRequestViewProjection : SingleStreamProjection<ApprovalRequestView, Guid>
{
    public static ApprovalRequestView Create(IEvent<ApprovalRequested> e) => new()
    {
        Id = e.Data.RequestId, Action = e.Data.Action, TargetId = e.Data.TargetId, TargetName = e.Data.TargetName,
        Amount = e.Data.Amount, Principal = e.Data.Principal, Permission = e.Data.Permission, Until = e.Data.Until, Reason = e.Data.Reason,
        RequestedBy = e.Data.RequestedBy, RequesterKey = ApprovalRequestView.KeyOf(e.Data.RequestedBy),
        RequestedAt = e.Data.RequestedAt, ExpiresAt = e.Data.ExpiresAt, Status = ApprovalStatus.Pending,
        CorrelationId = e.CorrelationId, Version = e.Version,
    };

    public static void Apply(IEvent<RequestApproved> e, ApprovalRequestView view) =>
        Decided(view, e.Version, ApprovalStatus.Approved, e.Data.ApprovedBy, e.Data.ApprovedAt, e.Data.Note);

    public static void Apply(IEvent<ApprovalRefused> e, ApprovalRequestView view)
    {
        view.Outcome = e.Data.Why;
        view.Version = e.Version;
    }

    public static void Apply(IEvent<RequestRejected> e, ApprovalRequestView view) =>
        Decided(view, e.Version, ApprovalStatus.Rejected, e.Data.RejectedBy, e.Data.RejectedAt, e.Data.Reason);

    public static void Apply(IEvent<RequestWithdrawn> e, ApprovalRequestView view) =>
        Decided(view, e.Version, ApprovalStatus.Withdrawn, e.Data.WithdrawnBy, e.Data.WithdrawnAt, e.Data.Reason);

    public static void Apply(IEvent<RequestExpired> e, ApprovalRequestView view) =>
        Decided(view, e.Version, ApprovalStatus.Expired, e.Data.ExpiredBy, e.Data.ExpiredAt, null);

    /// <summary>
    /// One request's view from its stored events (with their metadata), by the rules above: for imports through binary
    /// COPY (demo data, the benchmark), which bypass the inline projection.
    /// </summary>
    public static ApprovalRequestView? FromEvents(IEnumerable<IEvent> events)
    {
        ApprovalRequestView? view = null;
        foreach (var e in events)
        {
            if (e is IEvent<ApprovalRequested> requested)
            {
                view = Create(requested);
                continue;
            }
            if (view is null) throw new InvalidOperationException($"{e.EventType.Name} before ApprovalRequested on request {e.StreamId}.");
            switch (e)
            {
                case IEvent<RequestApproved> x: Apply(x, view); break;
                case IEvent<ApprovalRefused> x: Apply(x, view); break;
                case IEvent<RequestRejected> x: Apply(x, view); break;
                case IEvent<RequestWithdrawn> x: Apply(x, view); break;
                case IEvent<RequestExpired> x: Apply(x, view); break;
            }
        }
        return view;
    }

    private static void Decided(ApprovalRequestView view, long version, ApprovalStatus status, string by, DateTimeOffset at, string? outcome)
    {
        view.Status = status;
        view.DecidedBy = by;
        view.DecidedAt = at;
        view.Outcome = string.IsNullOrEmpty(outcome) ? null : outcome;
        view.Version = version;
    }
}
