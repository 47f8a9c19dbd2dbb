using AuditPortal.Core.Common;

namespace AuditPortal.Core.AccessControl;

/// <summary>Admins' commands on access-control lists, each one pass through the decide step of <see cref="CommandExecutor"/>.</summary>
public sealed class AccessControlService(CommandExecutor executor, TimeProvider time) : IAccessControlCommands
{
    public static readonly StreamKind<AccessControlList> Lists = new("Access-control list",
        _ => "This access-control list changed since you opened it; reload to see the change, then try again.");

    public Task<CommandResult> CreateAsync(Actor actor, Guid commandId, Guid aclId, string resource, string reason, CancellationToken ct = default) =>
        executor.StartAsync(actor, Permission.EditAccessControl, commandId, nameof(CreateAccessControlList), aclId,
            (AccessControlList? existing) => AccessControlListDecisions.Handle(existing, new CreateAccessControlList(aclId, resource, reason, commandId, actor.UserName, time.GetUtcNow())),
            created => $"Access-control list for {created.Resource} created.", ct);

    public Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default) =>
        executor.DecideAsync(Lists, actor, Permission.EditAccessControl, commandId, nameof(GrantPermission), aclId, expectedVersion,
            acl => AccessControlListDecisions.Handle(acl, new GrantPermission(aclId, principal, permission, reason, commandId, actor.UserName, time.GetUtcNow(), expectedVersion)),
            (_, granted) => $"Granted {granted.Permission} to {granted.Principal}.", ct);

    public Task<CommandResult> RevokeAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default) =>
        executor.DecideAsync(Lists, actor, Permission.EditAccessControl, commandId, nameof(RevokePermission), aclId, expectedVersion,
            acl => AccessControlListDecisions.Handle(acl, new RevokePermission(aclId, principal, permission, reason, commandId, actor.UserName, time.GetUtcNow(), expectedVersion)),
            (_, revoked) => $"Revoked {revoked.Permission} from {revoked.Principal}.", ct);
}
