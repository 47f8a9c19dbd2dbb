namespace AuditPortal.Core.AccessControl;

/// <summary>
/// The check every read service runs before it reads: the caller of this moment against the portal's list
/// (folded from its events, see <see cref="CommandExecutor.IsAllowedAsync"/>), so a permission revoked while a
/// page is open refuses the page's next load, "load more" or live refresh. A refusal is recorded on the caller's
/// access log (<see cref="ReadRefusals"/>, coalesced per user, resource and minute) before it is thrown.
/// </summary>
public static class ReadAccess
{
    /// <summary>
    /// Throws <see cref="AccessDeniedException"/> unless the caller holds at least one of the permissions;
    /// <paramref name="resource"/> names what was asked for in the record of a refusal ("wallets", "job:{id}", …).
    /// </summary>
    public static async Task DemandAsync(IQuerySession session, ICurrentActor caller, string resource, CancellationToken ct, Permission permission, params Permission[] orAnyOf)
    {
        var actor = await caller.GetActorAsync();
        if (await HoldsAnyAsync(session, actor, orAnyOf.Prepend(permission), ct)) return;
        throw await ReadRefusals.RefuseAsync(session.DocumentStore, actor, resource, permission, ct);
    }

    /// <summary>The same check in a short session of its own, for services that read without a Marten session.</summary>
    public static async Task DemandAsync(IDocumentStore store, ICurrentActor caller, string resource, CancellationToken ct, Permission permission, params Permission[] orAnyOf)
    {
        await using var session = store.QuerySession();
        await DemandAsync(session, caller, resource, ct, permission, orAnyOf);
    }

    /// <summary>The same check for an actor already at hand (services that asked <see cref="ICurrentActor"/> before).</summary>
    public static async Task DemandAsync(IQuerySession session, Actor actor, string resource, CancellationToken ct, Permission permission, params Permission[] orAnyOf)
    {
        if (await HoldsAnyAsync(session, actor, orAnyOf.Prepend(permission), ct)) return;
        throw await ReadRefusals.RefuseAsync(session.DocumentStore, actor, resource, permission, ct);
    }

    private static async Task<bool> HoldsAnyAsync(IQuerySession session, Actor actor, IEnumerable<Permission> anyOf, CancellationToken ct)
    {
        foreach (var p in anyOf)
        {
            if (await CommandExecutor.IsAllowedAsync(session, actor, p, ct)) return true;
        }
        return false;
    }
}
