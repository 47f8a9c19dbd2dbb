namespace AuditPortal.Core.Approvals;

/// <summary>The change a request asks for: credits on a wallet, or a permission on the portal's own list.</summary>
public enum ApprovalAction
{
    GrantCredits,
    SpendCredits,
    GrantPermission,
    RevokePermission,
}

public enum ApprovalStatus
{
    Pending,
    Approved,
    Rejected,
    Withdrawn,
    Expired,
}

/// <summary>Every event of a request's stream: the live change feed tells the approval pages from it.</summary>
public interface IApprovalEvent
{
    Guid RequestId { get; }
}

/// <summary>
/// The change that waits for a second person. <paramref name="TargetId"/> is the wallet or the access-control list;
/// <paramref name="TargetName"/> what the pages show for it (the wallet's owner, the list's resource) at request time;
/// <paramref name="TargetVersion"/> the target's version when it was asked for.
/// </summary>
public sealed record ApprovalRequested(
    Guid RequestId, ApprovalAction Action, Guid TargetId, string TargetName, long TargetVersion,
    int? Amount, string? Principal, Permission? Permission, string Reason,
    string RequestedBy, DateTimeOffset RequestedAt, DateTimeOffset ExpiresAt, DateTimeOffset? Until = null) : IApprovalEvent;

/// <summary>Approved by a second person; the change itself is the target stream's event of the same transaction.</summary>
public sealed record RequestApproved(Guid RequestId, string ApprovedBy, DateTimeOffset ApprovedAt, string Note) : IApprovalEvent;

/// <summary>An approval tried when the change no longer holds (e.g. it would overspend now): nothing changed, the request stays open.</summary>
public sealed record ApprovalRefused(Guid RequestId, string TriedBy, DateTimeOffset TriedAt, string Rule, string Why) : IApprovalEvent;

public sealed record RequestRejected(Guid RequestId, string RejectedBy, DateTimeOffset RejectedAt, string Reason) : IApprovalEvent;

public sealed record RequestWithdrawn(Guid RequestId, string WithdrawnBy, DateTimeOffset WithdrawnAt, string Reason) : IApprovalEvent;

/// <summary>Nobody acted within the expiry time; recorded by the portal itself.</summary>
public sealed record RequestExpired(Guid RequestId, string ExpiredBy, DateTimeOffset ExpiredAt) : IApprovalEvent;

/// <summary>The write-side state of a request: only what the decisions need.</summary>
public sealed record ApprovalRequest(
    Guid Id, ApprovalAction Action, Guid TargetId, string TargetName, int? Amount, string? Principal, Permission? Permission, string Reason,
    string RequestedBy, DateTimeOffset RequestedAt, DateTimeOffset ExpiresAt,
    ApprovalStatus Status = ApprovalStatus.Pending, string? DecidedBy = null, DateTimeOffset? DecidedAt = null, DateTimeOffset? Until = null)
{
    public static ApprovalRequest Create(ApprovalRequested e) =>
        new(e.RequestId, e.Action, e.TargetId, e.TargetName, e.Amount, e.Principal, e.Permission, e.Reason, e.RequestedBy, e.RequestedAt, e.ExpiresAt, Until: e.Until);

    public ApprovalRequest Apply(RequestApproved e) => this with { Status = ApprovalStatus.Approved, DecidedBy = e.ApprovedBy, DecidedAt = e.ApprovedAt };

    // A refused approval leaves the request open: the balance may allow it later, or someone rejects it.
    public ApprovalRequest Apply(ApprovalRefused e) => this;

    public ApprovalRequest Apply(RequestRejected e) => this with { Status = ApprovalStatus.Rejected, DecidedBy = e.RejectedBy, DecidedAt = e.RejectedAt };

    public ApprovalRequest Apply(RequestWithdrawn e) => this with { Status = ApprovalStatus.Withdrawn, DecidedBy = e.WithdrawnBy, DecidedAt = e.WithdrawnAt };

    public ApprovalRequest Apply(RequestExpired e) => this with { Status = ApprovalStatus.Expired, DecidedBy = e.ExpiredBy, DecidedAt = e.ExpiredAt };

    public bool IsCredits => Action is ApprovalAction.GrantCredits or ApprovalAction.SpendCredits;

    /// <summary>One line for pages and messages: "grant 5,000 credits", "grant EditAccessControl to bob".</summary>
    public string Describe() => ApprovalText.Describe(Action, Amount, Principal, Permission, Until);
}

public static class ApprovalText
{
    public static string Describe(ApprovalAction action, int? amount, string? principal, Permission? permission, DateTimeOffset? until = null) => action switch
    {
        ApprovalAction.GrantPermission when until is { } end => $"grant {permission} to {principal} until {AccessControlListDecisions.Utc(end)}",
        ApprovalAction.GrantCredits => $"grant {amount:N0} credits",
        ApprovalAction.SpendCredits => $"spend {amount:N0} credits",
        ApprovalAction.GrantPermission => $"grant {permission} to {principal}",
        ApprovalAction.RevokePermission => $"revoke {permission} from {principal}",
        _ => action.ToString(),
    };
}

/// <summary>Folds a request's events outside Marten (pure tests, the demo generator); same rules as Marten's live aggregation: its own Create and Apply methods, through <see cref="EventFold{T}"/>.</summary>
public static class ApprovalRequestHistory
{
    private static readonly EventFold<ApprovalRequest> Fold = new("an approval request");

    public static ApprovalRequest? Apply(ApprovalRequest? state, object e) => Fold.Apply(state, e);

    public static ApprovalRequest? Replay(IEnumerable<object> events) => Fold.Replay(events);
}
