using Microsoft.Extensions.Logging;

namespace AuditPortal.Core.Approvals;

/// <summary>What a request asks to change; <see cref="ApprovalService.RequestAsync"/> records it instead of doing it.</summary>
public sealed record ApprovalTarget(ApprovalAction Action, Guid TargetId, int? Amount = null, string? Principal = null, Permission? Permission = null, DateTimeOffset? Until = null)
{
    public static ApprovalTarget Grant(Guid walletId, int amount) => new(ApprovalAction.GrantCredits, walletId, amount);
    public static ApprovalTarget Spend(Guid walletId, int amount) => new(ApprovalAction.SpendCredits, walletId, amount);

    /// <summary>The permission the requester needs: the one the change itself would need.</summary>
    public Permission Required => Action switch
    {
        ApprovalAction.GrantCredits => AccessControl.Permission.GrantCredits,
        ApprovalAction.SpendCredits => AccessControl.Permission.SpendCredits,
        _ => AccessControl.Permission.EditAccessControl,
    };
}

/// <summary>The commands of the approvals pages; implemented by <see cref="ApprovalService"/>.</summary>
public interface IApprovalCommands
{
    Task<CommandResult> ApproveAsync(Actor actor, Guid commandId, Guid requestId, string note, long? expectedVersion, CancellationToken ct = default);
    Task<CommandResult> RejectAsync(Actor actor, Guid commandId, Guid requestId, string reason, long? expectedVersion, CancellationToken ct = default);
    Task<CommandResult> WithdrawAsync(Actor actor, Guid commandId, Guid requestId, string reason, long? expectedVersion, CancellationToken ct = default);
}

/// <summary>
/// Four eyes on the command path every other command uses (<see cref="CommandExecutor"/>: permission, idempotency,
/// who/when/correlation, refusals recorded). A request is a stream of its own; approving it appends the approval and
/// the change to the target's stream in one transaction, after deciding the change again on the target as it is then.
/// Decision, change and request share the request's correlation id, so the audit explorer shows them as one operation.
/// System actors (bootstrap, demo data, imports) never need a second person.
/// </summary>
public sealed class ApprovalService(CommandExecutor executor, WalletLimits limits, ApprovalPolicy policy, TimeProvider time, ILogger<ApprovalService> logger)
    : IApprovalCommands
{
    public const string ExpiryActor = "system:approvals";

    public static readonly StreamKind<ApprovalRequest> Requests = new("Request",
        request => $"This request changed since you opened it: it is now {request.Status.ToString().ToLowerInvariant()}"
            + (request.DecidedBy is { } by ? $" ({by})" : "") + ". Nothing was recorded.");

    public ApprovalPolicy Policy => policy;

    /// <summary>Whether <paramref name="actor"/> doing this alone needs a second person.</summary>
    public bool NeedsApproval(Actor actor, ApprovalTarget target) =>
        !actor.UserName.StartsWith("system:", StringComparison.Ordinal)
        && policy.NeedsApproval(target.Action, target.Amount ?? 0, target.Permission, target.TargetId == Resources.PortalAclId);

    /// <summary>
    /// Records the request. The change is decided now too, on the target as it is (a grant past the limit, a spend
    /// beyond the balance, a permission already held are refused at once rather than after someone approves them).
    /// </summary>
    public Task<CommandResult> RequestAsync(Actor actor, Guid commandId, ApprovalTarget target, string reason, CancellationToken ct = default)
    {
        var requestId = Guid.CreateVersion7();
        return executor.ExecuteAsync(actor, target.Required, commandId, nameof(RequestApproval), async session =>
        {
            var now = time.GetUtcNow();
            var (name, version) = await DecideChangeAsync(session, target, actor.UserName, reason, commandId, now, forWriting: false, ct);
            var requested = ApprovalDecisions.Handle(null, new RequestApproval(requestId, target.Action, target.TargetId, name, version,
                target.Amount, target.Principal, target.Permission, reason, commandId, actor.UserName, now, policy.ExpiresAfter, target.Until));
            session.Events.StartStream<ApprovalRequest>(requestId, requested);
            var why = target.Action switch
            {
                ApprovalAction.GrantCredits => $"Grants above {policy.GrantThreshold:N0} credits need a second person",
                ApprovalAction.SpendCredits => $"Spends above {policy.SpendThreshold:N0} credits need a second person",
                _ => "Changes to who runs the portal need a second person",
            };
            return CommandResult.Accepted(requestId, 1, $"{why}: your request to {ApprovalText.Describe(requested.Action, requested.Amount, requested.Principal, requested.Permission, requested.Until)} waits for approval.");
        }, ct: ct);
    }

    public Task<CommandResult> ApproveAsync(Actor actor, Guid commandId, Guid requestId, string note, long? expectedVersion, CancellationToken ct = default) =>
        executor.ExecuteAsync(actor, Permission.ApproveChanges, commandId, nameof(ApproveRequest), async session =>
        {
            var stream = await CommandExecutor.FetchForWritingAsync(session, Requests, requestId, expectedVersion, ct);
            await FollowRequestAsync(session, requestId, ct);
            var command = new ApproveRequest(requestId, note, commandId, actor.UserName, time.GetUtcNow());
            var approved = ApprovalDecisions.Handle(stream.Aggregate, command);
            var request = stream.Aggregate!;
            string changed;
            try
            {
                (changed, _) = await DecideChangeAsync(session, Target(request), request.RequestedBy, request.Reason, commandId, command.At, forWriting: true, ct);
            }
            catch (DomainException e) when (e.Error.Code is not ErrorCodes.NotFound)
            {
                // Recorded on the request, in this transaction only: the change is not made and the request stays open.
                stream.AppendOne(ApprovalDecisions.Refused(request, command, e.Error));
                await session.SaveChangesAsync(ct);
                logger.LogInformation("Approval of {RequestId} by {Actor} refused: {Why}", requestId, actor.UserName, e.Error.Message);
                return CommandResult.Rejected(new RuleViolated(e.Error.Code, $"The approval was refused and the change not made: {e.Error.Message}"));
            }
            stream.AppendOne(approved);
            return CommandResult.Accepted(requestId, stream.CurrentVersion!.Value, $"Approved {request.RequestedBy}'s request: {changed}");
        }, () => executor.ConflictAsync(Requests, requestId, ct), ct);

    public Task<CommandResult> RejectAsync(Actor actor, Guid commandId, Guid requestId, string reason, long? expectedVersion, CancellationToken ct = default) =>
        DecideOnRequestAsync(actor, Permission.ApproveChanges, commandId, nameof(RejectRequest), requestId, expectedVersion,
            request => ApprovalDecisions.Handle(request, new RejectRequest(requestId, reason, commandId, actor.UserName, time.GetUtcNow())),
            (request, _) => $"Rejected {request.RequestedBy}'s request to {request.Describe()}.", ct);

    /// <summary>The requester takes the request back; they need the permission the change itself would need.</summary>
    public async Task<CommandResult> WithdrawAsync(Actor actor, Guid commandId, Guid requestId, string reason, long? expectedVersion, CancellationToken ct = default)
    {
        await using (var query = executor.Store.QuerySession())
        {
            if (await query.Events.AggregateStreamAsync<ApprovalRequest>(requestId, token: ct) is not { } request)
                return CommandResult.Rejected(new NotFound(Requests.Name, requestId.ToString()));
            return await DecideOnRequestAsync(actor, Target(request).Required, commandId, nameof(WithdrawRequest), requestId, expectedVersion,
                r => ApprovalDecisions.Handle(r, new WithdrawRequest(requestId, reason, commandId, actor.UserName, time.GetUtcNow())),
                (r, _) => $"Withdrew your request to {r.Describe()}.", ct);
        }
    }

    /// <summary>
    /// Records the expiry of every open request past its time, as the portal itself. Several nodes may run it at once:
    /// each request's stream is locked while it is decided, and the second finds it expired already.
    /// </summary>
    public async Task<int> ExpireDueAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        IReadOnlyList<Guid> due;
        await using (var query = executor.Store.QuerySession())
        {
            due = await query.Query<ApprovalRequestView>()
                .Where(x => x.Status == ApprovalStatus.Pending && x.ExpiresAt <= now)
                .OrderBy(x => x.ExpiresAt).Select(x => x.Id).Take(500).ToListAsync(ct);
        }
        var expired = 0;
        foreach (var requestId in due)
        {
            var result = await DecideOnRequestAsync(new Actor(ExpiryActor, ""), null, Guid.CreateVersion7(), nameof(ExpireRequest), requestId, null,
                request => ApprovalDecisions.Handle(request, new ExpireRequest(requestId, ExpiryActor, now)),
                (request, _) => $"Request to {request.Describe()} expired.", ct);
            if (result.Succeeded) expired++;
            else if (result.ErrorCode is not ErrorCodes.RequestNotPending)
                logger.LogWarning("Could not record the expiry of request {RequestId}: {Message}", requestId, result.Message);
        }
        return expired;
    }

    private Task<CommandResult> DecideOnRequestAsync<TEvent>(
        Actor actor, Permission? required, Guid commandId, string commandType, Guid requestId, long? expectedVersion,
        Func<ApprovalRequest?, TEvent> decide, Func<ApprovalRequest, TEvent, string> accepted, CancellationToken ct) where TEvent : notnull =>
        executor.ExecuteAsync(actor, required, commandId, commandType, async session =>
        {
            var stream = await CommandExecutor.FetchForWritingAsync(session, Requests, requestId, expectedVersion, ct);
            await FollowRequestAsync(session, requestId, ct);
            var decided = decide(stream.Aggregate);
            stream.AppendOne(decided);
            return CommandResult.Accepted(requestId, stream.CurrentVersion!.Value, accepted(stream.Aggregate!, decided));
        }, () => executor.ConflictAsync(Requests, requestId, ct), ct);

    /// <summary>The decision is part of the request's operation: it carries the request's correlation id.</summary>
    private static async Task FollowRequestAsync(IDocumentSession session, Guid requestId, CancellationToken ct)
    {
        var view = await session.LoadAsync<ApprovalRequestView>(requestId, ct);
        if (view?.CorrelationId is { Length: > 0 } correlation) session.CorrelationId = correlation;
    }

    private static ApprovalTarget Target(ApprovalRequest request) =>
        new(request.Action, request.TargetId, request.Amount, request.Principal, request.Permission, request.Until);

    /// <summary>
    /// Decides the change with the target's own rules on the target as it is now. For writing (at approval), the target
    /// stream is locked for the transaction and the change appended; otherwise (at request) only checked. Returns the
    /// target's name for the pages and its version, or a text of what was done.
    /// </summary>
    private async Task<(string Text, long Version)> DecideChangeAsync(
        IDocumentSession session, ApprovalTarget target, string requestedBy, string reason, Guid commandId, DateTimeOffset at, bool forWriting, CancellationToken ct)
    {
        switch (target.Action)
        {
            case ApprovalAction.GrantCredits or ApprovalAction.SpendCredits:
            {
                var amount = target.Amount ?? 0;
                if (!forWriting)
                {
                    var current = target.TargetId == Guid.Empty ? null : await session.Events.AggregateStreamAsync<Wallet>(target.TargetId, token: ct);
                    var state = current is null ? null : await session.Events.FetchStreamStateAsync(target.TargetId, ct);
                    _ = Decide(current, target, amount, requestedBy, reason, commandId, at);
                    return ($"wallet of {current!.Owner}", state?.Version ?? 0);
                }
                var wallet = await CommandExecutor.FetchForWritingAsync(session, WalletService.Wallets, target.TargetId, null, ct);
                var change = Decide(wallet.Aggregate, target, amount, requestedBy, reason, commandId, at);
                wallet.AppendOne(change);
                var balance = wallet.Aggregate!.Balance + (change is CreditsGranted ? amount : -amount);
                return ($"{(change is CreditsGranted ? "granted" : "spent")} {amount:N0} credits; the balance is now {balance:N0}.", wallet.CurrentVersion ?? 0);
            }
            default:
            {
                // As AccessControlService decides: on the list as the permission check sees it (folded from its events).
                var stream = forWriting ? await CommandExecutor.FetchForWritingAsync(session, AccessControlService.Lists, target.TargetId, null, ct) : null;
                var (acl, version) = await AccessControlFromEvents.LoadAsync(session, target.TargetId, ct);
                object change = target.Action == ApprovalAction.GrantPermission
                    ? AccessControlListDecisions.Handle(acl, new GrantPermission(target.TargetId, target.Principal ?? "", target.Permission ?? default, reason, commandId, requestedBy, at, Until: target.Until))
                    : AccessControlListDecisions.Handle(acl, new RevokePermission(target.TargetId, target.Principal ?? "", target.Permission ?? default, reason, commandId, requestedBy, at));
                if (stream is null) return (acl!.Resource, version);
                stream.AppendOne(change);
                return ($"{ApprovalText.Describe(target.Action, null, target.Principal, target.Permission, target.Until)}.", version + 1);
            }
        }
    }

    /// <summary>The wallet's own decision; the requester is who grants or spends, the approval is on the request's stream.</summary>
    private object Decide(Wallet? wallet, ApprovalTarget target, int amount, string requestedBy, string reason, Guid commandId, DateTimeOffset at) =>
        target.Action == ApprovalAction.GrantCredits
            ? WalletDecisions.Handle(wallet, new GrantCredits(target.TargetId, amount, reason, commandId, requestedBy, at, Source: GrantSource.Approval), limits)
            : WalletDecisions.Handle(wallet, new SpendCredits(target.TargetId, amount, reason, commandId, requestedBy, at), limits);
}
