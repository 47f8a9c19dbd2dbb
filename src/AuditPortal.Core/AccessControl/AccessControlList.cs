namespace AuditPortal.Core.AccessControl;

public sealed record AccessControlListCreated(Guid AclId, string Resource, string CreatedBy, DateTimeOffset CreatedAt, string Reason);

public sealed record PermissionGranted(Guid AclId, string Principal, Permission Permission, string GrantedBy, DateTimeOffset GrantedAt, string Reason);

public sealed record PermissionRevoked(Guid AclId, string Principal, Permission Permission, string RevokedBy, DateTimeOffset RevokedAt, string Reason);

public sealed record AccessControlEntry(string Principal, Permission Permission);

public sealed record AccessControlList(Guid Id, string Resource, IReadOnlyList<AccessControlEntry> Entries)
{
    public static AccessControlList Create(AccessControlListCreated e) => new(e.AclId, e.Resource, []);

    public AccessControlList Apply(PermissionGranted e) => this with { Entries = [.. Entries, new AccessControlEntry(e.Principal, e.Permission)] };

    public AccessControlList Apply(PermissionRevoked e) =>
        this with { Entries = Entries.Where(x => !(Same(x.Principal, e.Principal) && x.Permission == e.Permission)).ToList() };

    public bool Has(string principal, Permission permission) => Entries.Any(x => Same(x.Principal, principal) && x.Permission == permission);

    public bool IsPortal => Resource == Resources.Portal;

    public static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Folds an access-control list's events outside Marten (pure tests, the demo generator).</summary>
public static class AccessControlListHistory
{
    public static AccessControlList? Apply(AccessControlList? state, object e) => e switch
    {
        AccessControlListCreated created => AccessControlList.Create(created),
        PermissionGranted x => Require(state, e).Apply(x),
        PermissionRevoked x => Require(state, e).Apply(x),
        _ => throw new ArgumentException($"{e.GetType().Name} is not an access-control list event.", nameof(e)),
    };

    public static AccessControlList? Replay(IEnumerable<object> events) => events.Aggregate((AccessControlList?)null, Apply);

    private static AccessControlList Require(AccessControlList? state, object e) =>
        state ?? throw new InvalidOperationException($"{e.GetType().Name} before AccessControlListCreated.");
}
