using Marten.Events.Aggregation;

namespace AuditPortal.Core.AccessControl;

public sealed class AccessControlViewEntry
{
    public string Principal { get; set; } = "";
    public Permission Permission { get; set; }
    public string GrantedBy { get; set; } = "";
    public DateTimeOffset GrantedAt { get; set; }
    public string Reason { get; set; } = "";
    /// <summary>The end of a time-bound grant (UTC); null for a grant without end.</summary>
    public DateTimeOffset? Until { get; set; }

    public bool ActiveAt(DateTimeOffset at) => Until is not { } end || at < end;
}

/// <summary>Kept inline: authorization reads it on every command and must see a revocation at once.</summary>
public sealed class AccessControlListView
{
    public Guid Id { get; set; }
    public string Resource { get; set; } = "";
    public List<AccessControlViewEntry> Entries { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastChangedAt { get; set; }
    public long Version { get; set; }

    public bool Has(string principal, Permission permission) =>
        Entries.Any(e => e.Permission == permission && AccessControlList.Same(e.Principal, principal));

    public IReadOnlyList<string> Principals => Entries.Select(e => e.Principal).Distinct(StringComparer.OrdinalIgnoreCase).Order().ToList();
}

public sealed partial class AccessControlListViewProjection : SingleStreamProjection<AccessControlListView, Guid>
{
    public static AccessControlListView Create(AccessControlListCreated e) =>
        new() { Id = e.AclId, Resource = e.Resource, CreatedAt = e.CreatedAt, LastChangedAt = e.CreatedAt };

    public static void Apply(PermissionGranted e, AccessControlListView view)
    {
        // As the fold (AccessControlList.Apply): a new grant of the same permission replaces the earlier one.
        view.Entries.RemoveAll(x => x.Permission == e.Permission && AccessControlList.Same(x.Principal, e.Principal));
        view.Entries.Add(new AccessControlViewEntry { Principal = e.Principal, Permission = e.Permission, GrantedBy = e.GrantedBy, GrantedAt = e.GrantedAt, Reason = e.Reason, Until = e.Until });
        view.LastChangedAt = e.GrantedAt;
    }

    public static void Apply(PermissionRevoked e, AccessControlListView view)
    {
        view.Entries.RemoveAll(x => x.Permission == e.Permission && AccessControlList.Same(x.Principal, e.Principal));
        view.LastChangedAt = e.RevokedAt;
    }

    public static void Apply(PermissionExpired e, AccessControlListView view)
    {
        view.Entries.RemoveAll(x => x.Permission == e.Permission && AccessControlList.Same(x.Principal, e.Principal) && x.Until == e.Until);
        view.LastChangedAt = e.RecordedAt;
    }
}
