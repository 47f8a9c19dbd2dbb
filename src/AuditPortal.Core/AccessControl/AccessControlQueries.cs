using AuditPortal.Core.Common;
using Marten;

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
}

/// <summary>
/// The ACL pages' reads. Each call checks the caller of this moment: viewing needs EditAccessControl or ReadAudit
/// (auditors read everything), as the page's ViewAccessControl policy says.
/// </summary>
public sealed class AccessControlQueries(IDocumentStore store, ICurrentActor caller) : IAccessControlReads
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

    private Task DemandViewAsync(IQuerySession session, CancellationToken ct) =>
        ReadAccess.DemandAsync(session, caller, ct, Permission.ReadAudit, Permission.EditAccessControl);
}
