using AuditPortal.Core.Approvals;
using AuditPortal.Core.Common;

namespace AuditPortal.Core.AccessControl;

/// <summary>
/// Admins' commands on access-control lists, each one pass through the decide step of <see cref="CommandExecutor"/>; a
/// grant or revocation of an admin permission on the portal's list is recorded as a request for a second person instead.
/// </summary>
public sealed class AccessControlService(CommandExecutor executor, TimeProvider time, ApprovalService? approvals = null) : IAccessControlCommands
{
    public static readonly StreamKind<AccessControlList> Lists = new("Access-control list",
        _ => "This access-control list changed since you opened it; reload to see the change, then try again.");

    public Task<CommandResult> CreateAsync(Actor actor, Guid commandId, Guid aclId, string resource, string reason, CancellationToken ct = default) =>
        executor.StartAsync(actor, Permission.EditAccessControl, commandId, nameof(CreateAccessControlList), aclId,
            (AccessControlList? existing) => AccessControlListDecisions.Handle(existing, new CreateAccessControlList(aclId, resource, reason, commandId, actor.UserName, time.GetUtcNow())),
            created => $"Access-control list for {created.Resource} created.", ct);

    public Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default) =>
        approvals?.NeedsApproval(actor, new(ApprovalAction.GrantPermission, aclId, null, principal, permission)) == true
            ? approvals.RequestAsync(actor, commandId, new(ApprovalAction.GrantPermission, aclId, null, principal, permission), reason, ct)
            : DecideOnSealedAsync(actor, commandId, nameof(GrantPermission), aclId, expectedVersion,
            acl => AccessControlListDecisions.Handle(acl, new GrantPermission(aclId, principal, permission, reason, commandId, actor.UserName, time.GetUtcNow(), expectedVersion)),
            granted => $"Granted {granted.Permission} to {granted.Principal}.", ct);

    public Task<CommandResult> RevokeAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default) =>
        approvals?.NeedsApproval(actor, new(ApprovalAction.RevokePermission, aclId, null, principal, permission)) == true
            ? approvals.RequestAsync(actor, commandId, new(ApprovalAction.RevokePermission, aclId, null, principal, permission), reason, ct)
            : DecideOnSealedAsync(actor, commandId, nameof(RevokePermission), aclId, expectedVersion,
            acl => AccessControlListDecisions.Handle(acl, new RevokePermission(aclId, principal, permission, reason, commandId, actor.UserName, time.GetUtcNow(), expectedVersion)),
            revoked => $"Revoked {revoked.Permission} from {revoked.Principal}.", ct);

    /// <summary>
    /// The decide step of <see cref="CommandExecutor.DecideAsync{T,TEvent}"/>, but on the list as the permission check
    /// sees it (<see cref="AccessControlFromEvents"/>: sealed events only), so that a forged or unsealed grant neither
    /// blocks a real one ("already granted") nor survives a revocation. The stream is locked first, so changes of one
    /// list serialize; the version the user saw is compared with the events' own version (max(version) in mt_events,
    /// not mt_streams, which the runtime role can write).
    /// </summary>
    private Task<CommandResult> DecideOnSealedAsync<TEvent>(
        Actor actor, Guid commandId, string commandType, Guid aclId, long? expectedVersion,
        Func<AccessControlList?, TEvent> decide, Func<TEvent, string> accepted, CancellationToken ct) where TEvent : notnull =>
        executor.ExecuteAsync(actor, Permission.EditAccessControl, commandId, commandType, async session =>
        {
            // No expected version here: the lock (and the empty-id answer) of the executor's fetch; the version is checked below.
            var stream = await CommandExecutor.FetchForWritingAsync(session, Lists, aclId, expectedVersion: null, ct);
            var (acl, version) = await AccessControlFromEvents.LoadAsync(session, aclId, ct);
            if (expectedVersion is { } seen && seen != version) return await executor.ConflictAsync(Lists, aclId, ct);
            var decided = decide(acl);
            stream.AppendOne(decided);
            return CommandResult.Accepted(aclId, stream.CurrentVersion ?? version + 1, accepted(decided));
        }, () => executor.ConflictAsync(Lists, aclId, ct), ct);
}
