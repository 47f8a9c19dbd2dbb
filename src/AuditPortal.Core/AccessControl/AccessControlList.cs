namespace AuditPortal.Core.AccessControl;

public sealed record AccessControlListCreated(Guid AclId, string Resource, string CreatedBy, DateTimeOffset CreatedAt, string Reason);

/// <summary>A grant; with <paramref name="Until"/> it ends at that instant (UTC) with nobody acting (see <see cref="PermissionExpired"/>).</summary>
public sealed record PermissionGranted(Guid AclId, string Principal, Permission Permission, string GrantedBy, DateTimeOffset GrantedAt, string Reason, DateTimeOffset? Until = null);

public sealed record PermissionRevoked(Guid AclId, string Principal, Permission Permission, string RevokedBy, DateTimeOffset RevokedAt, string Reason);

/// <summary>
/// A time-bound grant reached its end. Recorded by the portal itself (<see cref="AccessControlService.ExpireDueAsync"/>) for the history;
/// the permission already ended at <paramref name="Until"/>, whether or not this event was written yet.
/// </summary>
public sealed record PermissionExpired(Guid AclId, string Principal, Permission Permission, DateTimeOffset Until, string RecordedBy, DateTimeOffset RecordedAt);

public sealed record AccessControlEntry(string Principal, Permission Permission, DateTimeOffset? Until = null)
{
    /// <summary>Held at <paramref name="at"/>: no end, or the end still ahead (the end instant itself is outside).</summary>
    public bool ActiveAt(DateTimeOffset at) => Until is not { } end || at < end;
}

public sealed record AccessControlList(Guid Id, string Resource, IReadOnlyList<AccessControlEntry> Entries)
{
    public static AccessControlList Create(AccessControlListCreated e) => new(e.AclId, e.Resource, []);

    // A new grant of the same permission replaces the earlier entry (an extension, or a regrant after it lapsed).
    public AccessControlList Apply(PermissionGranted e) =>
        this with { Entries = [.. Without(e.Principal, e.Permission), new AccessControlEntry(e.Principal, e.Permission, e.Until)] };

    public AccessControlList Apply(PermissionRevoked e) =>
        this with { Entries = Without(e.Principal, e.Permission) };

    // Only the grant that ended: a later grant of the same permission (other or no end) stays.
    public AccessControlList Apply(PermissionExpired e) =>
        this with { Entries = Entries.Where(x => !(Same(x.Principal, e.Principal) && x.Permission == e.Permission && x.Until == e.Until)).ToList() };

    /// <summary>Whether <paramref name="principal"/> holds <paramref name="permission"/> at <paramref name="at"/> (a time-bound grant ends at its instant).</summary>
    public bool Has(string principal, Permission permission, DateTimeOffset at) => Entry(principal, permission)?.ActiveAt(at) == true;

    /// <summary>The recorded grant, whether or not it has lapsed.</summary>
    public AccessControlEntry? Entry(string principal, Permission permission) =>
        Entries.FirstOrDefault(x => Same(x.Principal, principal) && x.Permission == permission);

    /// <summary>Time-bound grants whose end has come by <paramref name="at"/> and whose expiry is not recorded yet.</summary>
    public IReadOnlyList<AccessControlEntry> DueAt(DateTimeOffset at) => Entries.Where(x => !x.ActiveAt(at)).ToList();

    private List<AccessControlEntry> Without(string principal, Permission permission) =>
        Entries.Where(x => !(Same(x.Principal, principal) && x.Permission == permission)).ToList();

    public bool IsPortal => Resource == Resources.Portal;

    public static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Folds an access-control list's events outside Marten (pure tests, the demo generator): its own Create and Apply methods, through <see cref="EventFold{T}"/>.</summary>
public static class AccessControlListHistory
{
    private static readonly EventFold<AccessControlList> Fold = new("an access-control list");

    public static AccessControlList? Apply(AccessControlList? state, object e) => Fold.Apply(state, e);

    public static AccessControlList? Replay(IEnumerable<object> events) => Fold.Replay(events);
}
