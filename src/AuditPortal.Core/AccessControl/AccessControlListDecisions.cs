using AuditPortal.Core.Common;

namespace AuditPortal.Core.AccessControl;

public sealed record CreateAccessControlList(Guid AclId, string Resource, string Reason, Guid CommandId, string Actor, DateTimeOffset At);

public sealed record GrantPermission(Guid AclId, string Principal, Permission Permission, string Reason, Guid CommandId, string Actor, DateTimeOffset At, long? ExpectedVersion = null);

public sealed record RevokePermission(Guid AclId, string Principal, Permission Permission, string Reason, Guid CommandId, string Actor, DateTimeOffset At, long? ExpectedVersion = null);

public static class AccessControlListDecisions
{
    public static AccessControlListCreated Handle(AccessControlList? state, CreateAccessControlList command)
    {
        if (state is not null)
            throw new DomainException(new RuleViolated(ErrorCodes.AclExists, $"The access-control list for {state.Resource} already exists."));
        if (command.AclId == Guid.Empty)
            throw new DomainException(new ValidationError("aclId", "An access-control list needs an id."));
        var resource = Guard.Name(command.Resource, "resource");
        var reason = Guard.Text(command.Reason, "reason");
        return new AccessControlListCreated(command.AclId, resource, command.Actor, command.At, reason);
    }

    public static PermissionGranted Handle(AccessControlList? state, GrantPermission command)
    {
        var acl = state ?? throw new DomainException(new NotFound("Access-control list", command.AclId.ToString()));
        var principal = Guard.Name(command.Principal, "principal");
        if (!Enum.IsDefined(command.Permission))
            throw new DomainException(new ValidationError("permission", $"Unknown permission {(int)command.Permission}."));
        var reason = Guard.Text(command.Reason, "reason");
        if (acl.Has(principal, command.Permission))
            throw new DomainException(new RuleViolated(ErrorCodes.AlreadyGranted, $"{principal} already has {command.Permission} on {acl.Resource}."));
        return new PermissionGranted(acl.Id, principal, command.Permission, command.Actor, command.At, reason);
    }

    public static PermissionRevoked Handle(AccessControlList? state, RevokePermission command)
    {
        var acl = state ?? throw new DomainException(new NotFound("Access-control list", command.AclId.ToString()));
        var principal = Guard.Name(command.Principal, "principal");
        var reason = Guard.Text(command.Reason, "reason");
        if (!acl.Has(principal, command.Permission))
            throw new DomainException(new RuleViolated(ErrorCodes.NotGranted, $"{principal} does not have {command.Permission} on {acl.Resource}."));
        if (acl.IsPortal && command.Permission == Permission.EditAccessControl
            && acl.Entries.Count(x => x.Permission == Permission.EditAccessControl) == 1)
            throw new DomainException(new RuleViolated(ErrorCodes.LastAdmin, $"{principal} is the last admin of the portal; grant another admin first."));
        return new PermissionRevoked(acl.Id, principal, command.Permission, command.Actor, command.At, reason);
    }
}
