namespace AuditPortal.Core.Approvals;

/// <summary>
/// What needs a second person (configuration Approvals:*): grants above <paramref name="GrantThreshold"/>, spends above
/// <paramref name="SpendThreshold"/> (null: none), and, when <paramref name="PortalAdminChanges"/>, any grant or
/// revocation of an admin permission on the portal's own list. Open requests expire after <paramref name="Expiry"/>.
/// </summary>
public sealed record ApprovalPolicy(int? GrantThreshold = 1000, int? SpendThreshold = null, TimeSpan? Expiry = null, bool PortalAdminChanges = true)
{
    public static readonly TimeSpan DefaultExpiry = TimeSpan.FromHours(72);

    /// <summary>Nothing needs approval: the services act alone (component and older integration tests).</summary>
    public static readonly ApprovalPolicy None = new(null, null, null, false);

    /// <summary>The permissions that run the portal itself: a change to who holds them always needs a second person.</summary>
    public static readonly IReadOnlySet<Permission> AdminPermissions =
        new HashSet<Permission> { Permission.EditAccessControl, Permission.ManageProjections, Permission.ApproveChanges };

    public TimeSpan ExpiresAfter => Expiry ?? DefaultExpiry;

    public bool NeedsApproval(ApprovalAction action, int amount, Permission? permission, bool onPortalList) => action switch
    {
        ApprovalAction.GrantCredits => amount > GrantThreshold,
        ApprovalAction.SpendCredits => amount > SpendThreshold,
        ApprovalAction.GrantPermission or ApprovalAction.RevokePermission =>
            PortalAdminChanges && onPortalList && permission is { } p && AdminPermissions.Contains(p),
        _ => false,
    };
}

public sealed record RequestApproval(
    Guid RequestId, ApprovalAction Action, Guid TargetId, string TargetName, long TargetVersion,
    int? Amount, string? Principal, Permission? Permission, string Reason,
    Guid CommandId, string Actor, DateTimeOffset At, TimeSpan ExpiresAfter, DateTimeOffset? Until = null);

public sealed record ApproveRequest(Guid RequestId, string Note, Guid CommandId, string Actor, DateTimeOffset At);

public sealed record RejectRequest(Guid RequestId, string Reason, Guid CommandId, string Actor, DateTimeOffset At);

public sealed record WithdrawRequest(Guid RequestId, string Reason, Guid CommandId, string Actor, DateTimeOffset At);

public sealed record ExpireRequest(Guid RequestId, string Actor, DateTimeOffset At);

/// <summary>
/// The request's own rules. Whether the change itself still holds is decided, at approval, by the target's own
/// decision (<c>WalletDecisions</c>, <c>AccessControlListDecisions</c>) on the target as it is then.
/// </summary>
public static class ApprovalDecisions
{
    public static ApprovalRequested Handle(ApprovalRequest? state, RequestApproval command)
    {
        Guard.NewStream(state, s => new RuleViolated(ErrorCodes.RequestNotPending, $"Request {command.RequestId} already exists ({s.Status})."),
            command.RequestId, "requestId", "A request needs an id.");
        if (!Enum.IsDefined(command.Action))
            throw new DomainException(new ValidationError("action", $"Unknown change {(int)command.Action}."));
        var reason = Guard.Text(command.Reason, "reason");
        var credits = command.Action is ApprovalAction.GrantCredits or ApprovalAction.SpendCredits;
        if (credits && command.Amount is not > 0)
            throw new DomainException(new ValidationError(Guard.AmountField, "The amount must be at least 1 credit."));
        if (!credits && (command.Permission is not { } p || !Enum.IsDefined(p)))
            throw new DomainException(new ValidationError("permission", "A permission change needs a known permission."));
        var principal = credits ? null : Guard.Name(command.Principal, "principal");
        return new ApprovalRequested(command.RequestId, command.Action, command.TargetId, command.TargetName, command.TargetVersion,
            credits ? command.Amount : null, principal, credits ? null : command.Permission, reason,
            command.Actor, command.At, command.At + command.ExpiresAfter, credits ? null : command.Until);
    }

    public static RequestApproved Handle(ApprovalRequest? state, ApproveRequest command)
    {
        var request = Open(state, command.RequestId, command.At);
        if (SamePerson(request.RequestedBy, command.Actor))
            throw new DomainException(new RuleViolated(ErrorCodes.OwnRequest,
                $"{command.Actor} asked for this change: a second person must approve it."));
        var note = Guard.Text(command.Note, "note", required: false);
        return new RequestApproved(request.Id, command.Actor, command.At, note);
    }

    /// <summary>The approval was allowed but the change no longer holds: recorded, and the request stays open.</summary>
    public static ApprovalRefused Refused(ApprovalRequest request, ApproveRequest command, DomainError why) =>
        new(request.Id, command.Actor, command.At, why.Code, $"The approval was refused: {why.Message}");

    public static RequestRejected Handle(ApprovalRequest? state, RejectRequest command)
    {
        var request = Open(state, command.RequestId, command.At);
        if (SamePerson(request.RequestedBy, command.Actor))
            throw new DomainException(new RuleViolated(ErrorCodes.OwnRequest,
                "This is your own request: withdraw it instead of rejecting it."));
        var reason = Guard.Text(command.Reason, "reason");
        return new RequestRejected(request.Id, command.Actor, command.At, reason);
    }

    public static RequestWithdrawn Handle(ApprovalRequest? state, WithdrawRequest command)
    {
        var request = Pending(state, command.RequestId);
        if (!SamePerson(request.RequestedBy, command.Actor))
            throw new DomainException(new RuleViolated(ErrorCodes.NotRequester,
                $"Only {request.RequestedBy}, who asked for this change, may withdraw it; reject it instead."));
        var reason = Guard.Text(command.Reason, "reason", required: false);
        return new RequestWithdrawn(request.Id, command.Actor, command.At, reason);
    }

    public static RequestExpired Handle(ApprovalRequest? state, ExpireRequest command)
    {
        var request = Pending(state, command.RequestId);
        if (command.At < request.ExpiresAt)
            throw new DomainException(new RuleViolated(ErrorCodes.RequestNotDue,
                $"The request expires at {request.ExpiresAt:u}, not before."));
        return new RequestExpired(request.Id, command.Actor, command.At);
    }

    /// <summary>
    /// Whether two account names are one person: the portal's list keys permissions by the name compared as
    /// <see cref="AccessControlList.Same"/> does (case-insensitive; single sign-on users are their stable "sub@issuer"),
    /// so a name that holds the same grants is the same person.
    /// </summary>
    public static bool SamePerson(string a, string b) => AccessControlList.Same(a.Trim(), b.Trim());

    private static ApprovalRequest Pending(ApprovalRequest? state, Guid requestId)
    {
        var request = state ?? throw new DomainException(new NotFound("Request", requestId.ToString()));
        if (request.Status != ApprovalStatus.Pending)
            throw new DomainException(new RuleViolated(ErrorCodes.RequestNotPending,
                $"This request is already {request.Status.ToString().ToLowerInvariant()}{(request.DecidedBy is { } by ? $" ({by})" : "")}: nothing was recorded."));
        return request;
    }

    /// <summary>Pending and not yet past its expiry: a request nobody acted on in time is no longer approvable.</summary>
    private static ApprovalRequest Open(ApprovalRequest? state, Guid requestId, DateTimeOffset at)
    {
        var request = Pending(state, requestId);
        if (at >= request.ExpiresAt)
            throw new DomainException(new RuleViolated(ErrorCodes.RequestExpired,
                $"This request expired at {request.ExpiresAt:u}; ask again if the change is still needed."));
        return request;
    }
}
