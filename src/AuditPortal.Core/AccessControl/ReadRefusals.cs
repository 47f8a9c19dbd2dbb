using AuditPortal.Core.Common;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Logging;

namespace AuditPortal.Core.AccessControl;

/// <summary>
/// Records a read refused on the server as <see cref="ReadRefused"/> on the user's <see cref="AccessLog"/>, like a
/// refused command, coalesced per user, resource and minute so a page retried in a loop cannot fill the store.
/// </summary>
/// <remarks>
/// The event id is a name-based UUID of (user, resource, minute): the database's unique index on event ids
/// (<c>EnableUniqueIndexOnEventId</c>) refuses a second one, whichever node records it, so at most one event per user,
/// resource and minute exists. A per-store memory of the keys recorded this minute (<see cref="PortalStoreState"/>) spares the database the repeats
/// on one node. Nobody is recorded without a name (an anonymous request is refused before it reaches a read service)
/// and system actors are never refused.
/// </remarks>
public static class ReadRefusals
{
    /// <summary>Records the refusal (best effort: a failure is logged, never shown) and returns the exception to throw.</summary>
    public static async Task<AccessDeniedException> RefuseAsync(IDocumentStore store, Actor actor, string resource, Permission missing,
        CancellationToken ct, ILogger? logger = null)
    {
        await RecordAsync(store, actor, resource, missing, ct, logger);
        return new AccessDeniedException(missing);
    }

    /// <summary>Records one refused read of <paramref name="resource"/>; returns whether an event was appended (false: coalesced or nobody).</summary>
    public static async Task<bool> RecordAsync(IDocumentStore store, Actor actor, string resource, Permission missing, CancellationToken ct, ILogger? logger = null)
    {
        if (string.IsNullOrWhiteSpace(actor.UserName) || actor.UserName.StartsWith("system:", StringComparison.Ordinal)) return false;
        var now = AccessControlClock.Now(store);
        var minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var id = EventIdFor(actor.UserName, resource, minute);
        var state = PortalStoreState.Of(store);
        var recent = state.RecentRefusals;
        if (!recent.TryTake(id, minute)) return false;
        try
        {
            var refused = new Event<ReadRefused>(new ReadRefused(actor.UserName, resource, missing, now)) { Id = id };
            await AccessLogAppend.AppendAsync(store, actor.UserName, refused, actor.CorrelationFor(id), null, ct);
            return true;
        }
        catch (Exception e) when (IsDuplicate(e))
        {
            // Another node recorded this user, resource and minute first.
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Let a later try in this minute record it instead.
            recent.Forget(id);
            // Without a logger of the caller's own (the read services): the store's (PortalStoreState.Logger).
            logger ??= state.Logger;
            logger?.LogError(e, "Could not record the refused read of {Resource} for {Actor}", resource, actor.UserName);
            return false;
        }
    }

    /// <summary>A name-based UUID (version 5 layout) of the case-folded user, the resource and the minute.</summary>
    public static Guid EventIdFor(string userName, string resource, DateTimeOffset minute) =>
        NameBasedId.Of($"auditportal:read-refused:{userName.Trim().ToLowerInvariant()}\n{resource}\n{minute.UtcTicks}");

    private static bool IsDuplicate(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } || e.InnerException is { } inner && IsDuplicate(inner);
}
