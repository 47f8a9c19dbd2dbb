using Marten;

namespace AuditPortal.Core.AccessControl;

/// <summary>What the access-control pages read: the inline ACL read model, one query session per call.</summary>
public interface IAclQueries
{
    Task<IReadOnlyList<AccessControlListView>> ListAsync(CancellationToken ct = default);
    Task<AccessControlListView?> GetAsync(Guid id, CancellationToken ct = default);
}

public sealed class AccessControlQueries(IDocumentStore store) : IAclQueries
{
    public async Task<IReadOnlyList<AccessControlListView>> ListAsync(CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        return await session.Query<AccessControlListView>().OrderBy(x => x.Resource).ToListAsync(ct);
    }

    public async Task<AccessControlListView?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<AccessControlListView>(id, ct);
    }
}
