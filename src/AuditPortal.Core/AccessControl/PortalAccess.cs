using AuditPortal.Core.Common;
using Marten;

namespace AuditPortal.Core.AccessControl;

/// <summary>
/// The portal's one permission gate. Every command (<see cref="CommandExecutor"/>), every read service, the web
/// policies (<c>PermissionHandler</c>) and the command-line verbs that act for a person ask it, and nothing else decides
/// who may do what. Two questions:
/// <list type="bullet">
/// <item><see cref="DemandAsync(IQuerySession, ICurrentActor, string, CancellationToken, Permission, Permission[])"/>:
/// "may this caller read or do this now?" — throws <see cref="AccessDeniedException"/> and records the refusal on the
/// caller's access log (<see cref="ReadRefusals"/>, one per user, resource and minute). A read service calls it before
/// it reads, so a permission revoked while a page is open refuses the page's next load, "load more" or live refresh.</item>
/// <item><see cref="IsAllowedAsync"/>: "may I show this button / this part of a page?" — the same rule, nothing recorded.</item>
/// </list>
/// The rule rests on the portal list's events, which the runtime role cannot rewrite: the stream version comes from
/// mt_events and the fold is cached per version (<see cref="AccessControlFromEvents"/>). The inline read model, which
/// the runtime role can UPDATE, is never consulted. System actors (<c>system:…</c>, made only by <see cref="Actor.System"/>) pass.
/// </summary>
public static class PortalAccess
{
    /// <summary>
    /// Throws <see cref="AccessDeniedException"/> unless the caller of this moment holds at least one of the permissions;
    /// <paramref name="resource"/> names what was asked for in the record of a refusal ("wallets", "job:{id}", …).
    /// </summary>
    public static async Task DemandAsync(IQuerySession session, ICurrentActor caller, string resource, CancellationToken ct, Permission permission, params Permission[] orAnyOf) =>
        await DemandAsync(session, await caller.GetActorAsync(), resource, ct, permission, orAnyOf);

    /// <summary>The same check in a short session of its own, for services that read without a Marten session.</summary>
    public static async Task DemandAsync(IDocumentStore store, ICurrentActor caller, string resource, CancellationToken ct, Permission permission, params Permission[] orAnyOf)
    {
        await using var session = store.QuerySession();
        await DemandAsync(session, await caller.GetActorAsync(), resource, ct, permission, orAnyOf);
    }

    /// <summary>The same check for an actor at hand, in a short session of its own (operations and verbs given an <see cref="Actor"/>).</summary>
    public static async Task DemandAsync(IDocumentStore store, Actor actor, string resource, CancellationToken ct, Permission permission, params Permission[] orAnyOf)
    {
        await using var session = store.QuerySession();
        await DemandAsync(session, actor, resource, ct, permission, orAnyOf);
    }

    /// <summary>The same check for an actor already at hand (services that asked <see cref="ICurrentActor"/> before).</summary>
    public static async Task DemandAsync(IQuerySession session, Actor actor, string resource, CancellationToken ct, Permission permission, params Permission[] orAnyOf)
    {
        foreach (var p in orAnyOf.Prepend(permission))
        {
            if (await IsAllowedAsync(session, actor, p, ct)) return;
        }
        throw await ReadRefusals.RefuseAsync(session.DocumentStore, actor, resource, permission, ct);
    }

    /// <summary>
    /// Whether <paramref name="actor"/> holds <paramref name="permission"/> now, with nothing recorded: for what a page
    /// shows (a button, a group) and for the command pipeline, which records its own refusal (<see cref="CommandDenied"/>).
    /// <paramref name="aclVersion"/>: the portal list's version when the caller already probed it in its own round trip.
    /// </summary>
    public static async Task<bool> IsAllowedAsync(IQuerySession session, Actor actor, Permission permission, CancellationToken ct, long? aclVersion = null)
    {
        if (string.IsNullOrWhiteSpace(actor.UserName)) return false;
        // Only Actor.System makes these names; the web layer refuses to sign anyone in under such a name.
        if (IsSystem(actor)) return true;
        var (portal, _) = aclVersion is { } version
            ? await AccessControlFromEvents.FoldAtAsync(session, Resources.PortalAclId, version, ct)
            : await AccessControlFromEvents.LoadAsync(session, Resources.PortalAclId, ct);
        // A time-bound grant ends at its instant here, whether or not PermissionExpiry has recorded it yet.
        return portal?.Has(actor.UserName, permission, AccessControlClock.Now(session.DocumentStore)) == true;
    }

    /// <summary><see cref="IsAllowedAsync"/> in a short session of its own.</summary>
    public static async Task<bool> IsAllowedAsync(IDocumentStore store, Actor actor, Permission permission, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        return await IsAllowedAsync(session, actor, permission, ct);
    }

    internal static bool IsSystem(Actor actor) => actor.UserName.StartsWith("system:", StringComparison.Ordinal);
}

/// <summary>
/// Marks a service that reads portal data for a person (a page, an endpoint, an export): every public async method
/// asks <see cref="PortalAccess"/> before it reads, or is marked <see cref="EmptyWithoutPermissionAttribute"/> or
/// <see cref="NotGatedAttribute"/>; a command it offers answers Forbidden through <see cref="CommandExecutor"/>.
/// ReadServiceGateTests (IntegrationTests/Authorization) calls every such method as a caller holding nothing, and also
/// fails on a class named <c>…Queries</c>, <c>…Reads</c>, <c>…Exports</c> or implementing an <c>I…Reads</c> interface without this mark.
/// </summary>
public interface IPortalReads;

/// <summary>
/// On a method of an <see cref="IPortalReads"/> service that answers a caller without the permission with an empty answer
/// (false, 0, nothing) instead of <see cref="AccessDeniedException"/>: "may I show this?" questions and a person's own data.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EmptyWithoutPermissionAttribute(string why) : Attribute
{
    public string Why { get; } = why;
}

/// <summary>On a method of an <see cref="IPortalReads"/> service that deliberately asks no permission of a person; say why.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NotGatedAttribute(string why) : Attribute
{
    public string Why { get; } = why;
}
