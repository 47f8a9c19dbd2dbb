using AuditPortal.Core.Common;
using Marten;

namespace AuditPortal.Core.AccessControl;

/// <summary>
/// The check every read service runs before it reads: the caller of this moment against the portal's list
/// (folded from its events, see <see cref="CommandExecutor.IsAllowedAsync"/>), so a permission revoked while a
/// page is open refuses the page's next load, "load more" or live refresh.
/// </summary>
public static class ReadAccess
{
    /// <summary>Throws <see cref="AccessDeniedException"/> unless the caller holds at least one of the permissions.</summary>
    public static async Task DemandAsync(IQuerySession session, ICurrentActor caller, CancellationToken ct, Permission permission, params Permission[] orAnyOf)
    {
        var actor = await caller.GetActorAsync();
        foreach (var p in orAnyOf.Prepend(permission))
        {
            if (await CommandExecutor.IsAllowedAsync(session, actor, p, ct)) return;
        }
        throw new AccessDeniedException(permission);
    }

    /// <summary>The same check in a short session of its own, for services that read without a Marten session.</summary>
    public static async Task DemandAsync(IDocumentStore store, ICurrentActor caller, CancellationToken ct, Permission permission, params Permission[] orAnyOf)
    {
        await using var session = store.QuerySession();
        await DemandAsync(session, caller, ct, permission, orAnyOf);
    }
}
