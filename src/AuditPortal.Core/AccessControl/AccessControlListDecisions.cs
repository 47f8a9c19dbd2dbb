namespace AuditPortal.Core.AccessControl;

public sealed record CreateAccessControlList(Guid AclId, string Resource, string Reason, Guid CommandId, string Actor, DateTimeOffset At);

/// <summary><paramref name="Until"/>: the grant's end (UTC), or null for a grant without end.</summary>
public sealed record GrantPermission(Guid AclId, string Principal, Permission Permission, string Reason, Guid CommandId, string Actor, DateTimeOffset At, long? ExpectedVersion = null, DateTimeOffset? Until = null);

public sealed record RevokePermission(Guid AclId, string Principal, Permission Permission, string Reason, Guid CommandId, string Actor, DateTimeOffset At, long? ExpectedVersion = null);

/// <summary>Records that the time-bound grant ending at <paramref name="Until"/> has ended (the portal itself, <see cref="AccessControlService.ExpireDueAsync"/>).</summary>
public sealed record ExpirePermission(Guid AclId, string Principal, Permission Permission, DateTimeOffset Until, string Actor, DateTimeOffset At);

public static class AccessControlListDecisions
{
    public static AccessControlListCreated Handle(AccessControlList? state, CreateAccessControlList command)
    {
        Guard.NewStream(state, s => new RuleViolated(ErrorCodes.AclExists, $"The access-control list for {s.Resource} already exists."),
            command.AclId, "aclId", "An access-control list needs an id.");
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
        if (command.Until is { } until && until <= command.At)
            throw new DomainException(new ValidationError("until",
                $"The end of a grant must be in the future: {Utc(until)} is not after now ({Utc(command.At)})."));
        // The same grant again is refused; a new end (longer, shorter, or none) replaces the current one.
        if (acl.Entry(principal, command.Permission) is { } held && held.ActiveAt(command.At) && held.Until == command.Until)
            throw new DomainException(new RuleViolated(ErrorCodes.AlreadyGranted,
                $"{principal} already has {command.Permission} on {acl.Resource}{(held.Until is { } end ? $" until {Utc(end)}" : "")}."));
        return new PermissionGranted(acl.Id, principal, command.Permission, command.Actor, command.At, reason, command.Until);
    }

    public static PermissionRevoked Handle(AccessControlList? state, RevokePermission command)
    {
        var acl = state ?? throw new DomainException(new NotFound("Access-control list", command.AclId.ToString()));
        var principal = Guard.Name(command.Principal, "principal");
        var reason = Guard.Text(command.Reason, "reason");
        if (!acl.Has(principal, command.Permission, command.At))
            throw new DomainException(new RuleViolated(ErrorCodes.NotGranted, $"{principal} does not have {command.Permission} on {acl.Resource}."));
        // Time-bound admins end on their own: the portal keeps at least one admin without an end.
        if (acl.IsPortal && command.Permission == Permission.EditAccessControl && acl.Entry(principal, command.Permission)!.Until is null
            && !acl.Entries.Any(x => x.Permission == Permission.EditAccessControl && x.Until is null && !AccessControlList.Same(x.Principal, principal)))
            throw new DomainException(new RuleViolated(ErrorCodes.LastAdmin, $"{principal} is the last admin of the portal without an end date; grant another admin (without an end) first."));
        return new PermissionRevoked(acl.Id, principal, command.Permission, command.Actor, command.At, reason);
    }

    public static PermissionExpired Handle(AccessControlList? state, ExpirePermission command)
    {
        var acl = state ?? throw new DomainException(new NotFound("Access-control list", command.AclId.ToString()));
        // Another node recorded it, or the grant was revoked or replaced since: nothing left to record.
        if (acl.Entry(command.Principal, command.Permission) is not { } entry || entry.Until != command.Until)
            throw new DomainException(new RuleViolated(ErrorCodes.NotGranted,
                $"{command.Principal}'s {command.Permission} on {acl.Resource} ending {Utc(command.Until)} is no longer on the list."));
        if (command.At < command.Until)
            throw new DomainException(new RuleViolated(ErrorCodes.NotDue, $"{command.Principal}'s {command.Permission} ends only at {Utc(command.Until)}."));
        return new PermissionExpired(acl.Id, entry.Principal, entry.Permission, command.Until, command.Actor, command.At);
    }

    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
