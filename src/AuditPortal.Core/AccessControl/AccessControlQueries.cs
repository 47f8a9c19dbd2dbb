namespace AuditPortal.Core.AccessControl;

/// <summary>What the access-control pages read: the inline ACL read model, one query session per call.</summary>
public interface IAccessControlReads
{
    Task<IReadOnlyList<AccessControlListView>> ListAsync(CancellationToken ct = default);
    Task<AccessControlListView?> GetAsync(Guid id, CancellationToken ct = default);

    /// <summary>Null when the portal list's read model agrees with its events; otherwise what differs (a tamper).</summary>
    Task<string?> IntegrityProblemAsync(CancellationToken ct = default) => Task.FromResult<string?>(null);

    /// <summary>People who signed in, latest first, whose user name or display name contains the text (for granting by a recognisable name).</summary>
    Task<IReadOnlyList<KnownUser>> FindPeopleAsync(string? search, CancellationToken ct = default) => Task.FromResult<IReadOnlyList<KnownUser>>([]);

    /// <summary>Every grant on the portal's own list held now, with the person's display name and last sign-in (the access review).</summary>
    Task<IReadOnlyList<AccessReviewRow>> ReviewAsync(AccessReviewFilter filter, CancellationToken ct = default) => Task.FromResult<IReadOnlyList<AccessReviewRow>>([]);
}

/// <summary>
/// The ACL pages' reads. Each call checks the caller of this moment: viewing needs EditAccessControl or ReadAudit
/// (auditors read everything), as the page's ViewAccessControl policy says.
/// </summary>
public sealed class AccessControlQueries(IDocumentStore store, ICurrentActor caller) : IAccessControlReads, IPortalReads
{
    public async Task<IReadOnlyList<AccessControlListView>> ListAsync(CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        await DemandViewAsync(session, ct);
        return await session.Query<AccessControlListView>().OrderBy(x => x.Resource).ToListAsync(ct);
    }

    public async Task<AccessControlListView?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        await DemandViewAsync(session, ct);
        return await session.LoadAsync<AccessControlListView>(id, ct);
    }

    public async Task<string?> IntegrityProblemAsync(CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        await DemandViewAsync(session, ct);
        return await AccessControlFromEvents.CompareWithReadModelAsync(session, Resources.PortalAclId, ct);
    }

    public async Task<IReadOnlyList<KnownUser>> FindPeopleAsync(string? search, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        await DemandViewAsync(session, ct);
        return await SignInLog.LatestAsync(session, search, 20, ct);
    }

    public async Task<IReadOnlyList<AccessReviewRow>> ReviewAsync(AccessReviewFilter filter, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        await DemandViewAsync(session, ct);
        return await ReviewAsync(session, filter, ct);
    }

    /// <summary>
    /// The review without a permission check (callers check first: the page's reads, the export's start). Two queries
    /// whatever the number of grants: the list's read model, and every listed person's latest sign-in at once.
    /// A grant whose end has passed is left out although its expiry may not be recorded yet: it no longer counts.
    /// </summary>
    public static async Task<IReadOnlyList<AccessReviewRow>> ReviewAsync(IQuerySession session, AccessReviewFilter filter, CancellationToken ct)
    {
        var now = AccessControlClock.Now(session.DocumentStore);
        var portal = await session.LoadAsync<AccessControlListView>(Resources.PortalAclId, ct);
        var entries = portal?.Entries.Where(e => e.ActiveAt(now)).ToList() ?? [];
        var signIns = await SignInLog.LatestOfAsync(session, entries.Select(e => e.Principal), ct);
        return entries
            .Select(e => signIns.TryGetValue(e.Principal.Trim().ToLowerInvariant(), out var known)
                ? new AccessReviewRow(e.Principal, known.DisplayName, e.Permission, e.GrantedBy, e.GrantedAt, e.Reason, e.Until, known.LastSignedInAt, known.Method)
                : new AccessReviewRow(e.Principal, null, e.Permission, e.GrantedBy, e.GrantedAt, e.Reason, e.Until, null, null))
            .Where(row => filter.Matches(row, now))
            .OrderBy(row => row.Principal, StringComparer.OrdinalIgnoreCase).ThenBy(row => row.Permission)
            .ToList();
    }

    private Task DemandViewAsync(IQuerySession session, CancellationToken ct) =>
        PortalAccess.DemandAsync(session, caller, "access-control", ct, Permission.ReadAudit, Permission.EditAccessControl);
}
