namespace AuditPortal.Core.Approvals;

/// <summary>Which requests the approvals page lists: those that wait for the caller, the caller's own, or everyone's.</summary>
public enum ApprovalView
{
    ToApprove,
    Mine,
    All,
}

public sealed record ApprovalListQuery(ApprovalView View = ApprovalView.ToApprove, bool PendingOnly = true, int Page = 0, int PageSize = 50);

public sealed record ApprovalPage(IReadOnlyList<ApprovalRequestView> Items, int TotalCount, IReadOnlyDictionary<string, string>? DisplayNames = null)
{
    /// <summary>"Ada Lovelace (ada@idp.example)" when a display name is known from sign-ins (<see cref="SignInLog.DisplayNamesAsync"/>), else the subject.</summary>
    public string Person(string userName) =>
        DisplayNames?.GetValueOrDefault(userName.Trim().ToLowerInvariant()) is { } name ? $"{name} ({userName})" : userName;
}

/// <summary>The reads of the approval pages; lets the pages be rendered without a database in component tests.</summary>
public interface IApprovalReads
{
    Task<ApprovalPage> ListAsync(ApprovalListQuery query, CancellationToken ct = default);

    /// <summary>Open requests another person made that the caller may approve (0 for callers without ApproveChanges).</summary>
    Task<int> WaitingForMeAsync(CancellationToken ct = default);

    /// <summary>The newest requests on one wallet (or list), open ones first.</summary>
    Task<IReadOnlyList<ApprovalRequestView>> ForTargetAsync(Guid targetId, int take = 20, CancellationToken ct = default);
}

/// <summary>
/// Read side of the approvals, over the inline <see cref="ApprovalRequestView"/>; a short session per call. Every call
/// checks the caller of this moment first: the list for those who may ask or approve (or audit), a wallet's requests
/// for those who may read wallets.
/// </summary>
public sealed class ApprovalQueries(IDocumentStore store, ICurrentActor caller) : IApprovalReads, IPortalReads
{
    public const int MaxPageSize = 200;

    /// <summary>Who may open the approvals page: whoever may ask for a change, approve one, or read the audit trail.</summary>
    public static readonly Permission[] Viewers =
        [Permission.ApproveChanges, Permission.GrantCredits, Permission.SpendCredits, Permission.EditAccessControl, Permission.ReadAudit];

    public async Task<ApprovalPage> ListAsync(ApprovalListQuery query, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        await PortalAccess.DemandAsync(session, caller, "approvals", ct, Viewers[0], Viewers[1..]);
        var me = ApprovalRequestView.KeyOf((await caller.GetActorAsync()).UserName);
        var q = session.Query<ApprovalRequestView>().AsQueryable();
        if (query.PendingOnly || query.View == ApprovalView.ToApprove) q = q.Where(x => x.Status == ApprovalStatus.Pending);
        q = query.View switch
        {
            ApprovalView.Mine => q.Where(x => x.RequesterKey == me),
            ApprovalView.ToApprove => q.Where(x => x.RequesterKey != me),
            _ => q,
        };
        var size = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var total = await q.CountAsync(ct);
        var items = await q.OrderByDescending(x => x.RequestedAt).Skip(Math.Max(query.Page, 0) * size).Take(size).ToListAsync(ct);
        // Names people recognise for the requesters and deciders of this page: one query for the page.
        var names = await SignInLog.DisplayNamesAsync(session, items.Select(x => x.RequestedBy).Concat(items.Select(x => x.DecidedBy ?? "")), ct);
        return new ApprovalPage(items, total, names);
    }

    [EmptyWithoutPermission("the navigation badge: nothing waits for someone who may not approve")]
    public async Task<int> WaitingForMeAsync(CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        var actor = await caller.GetActorAsync();
        if (!await PortalAccess.IsAllowedAsync(session, actor, Permission.ApproveChanges, ct)) return 0;
        var me = ApprovalRequestView.KeyOf(actor.UserName);
        return await session.Query<ApprovalRequestView>().CountAsync(x => x.Status == ApprovalStatus.Pending && x.RequesterKey != me, ct);
    }

    public async Task<IReadOnlyList<ApprovalRequestView>> ForTargetAsync(Guid targetId, int take = 20, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        await PortalAccess.DemandAsync(session, caller, $"approvals:{targetId}", ct, Permission.ReadWallets);
        var rows = await session.Query<ApprovalRequestView>().Where(x => x.TargetId == targetId)
            .OrderByDescending(x => x.RequestedAt).Take(Math.Clamp(take, 1, MaxPageSize)).ToListAsync(ct);
        return rows.OrderBy(x => x.Status == ApprovalStatus.Pending ? 0 : 1).ThenByDescending(x => x.RequestedAt).ToList();
    }
}
