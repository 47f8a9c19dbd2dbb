using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace AuditPortal.Core.AccessControl;

/// <summary>
/// Records a read refused on the server as <see cref="ReadRefused"/> on the user's <see cref="AccessLog"/>, like a
/// refused command, coalesced per user, resource and minute so a page retried in a loop cannot fill the store.
/// </summary>
/// <remarks>
/// The event id is a name-based UUID of (user, resource, minute): the database's unique index on event ids
/// (<c>EnableUniqueIndexOnEventId</c>) refuses a second one, whichever node records it, so at most one event per user,
/// resource and minute exists. A per-store memory of the keys recorded this minute spares the database the repeats
/// on one node. Nobody is recorded without a name (an anonymous request is refused before it reaches a read service)
/// and system actors are never refused.
/// </remarks>
public static class ReadRefusals
{
    private static readonly ConditionalWeakTable<IDocumentStore, Recent> RecentByStore = new();
    private static readonly ConditionalWeakTable<StoreOptions, ILogger> Loggers = new();

    /// <summary>Where a store's failed recordings are logged when the caller has no logger of its own (the read services).</summary>
    public static void UseLogger(StoreOptions options, ILogger logger) => Loggers.AddOrUpdate(options, logger);

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
        var recent = RecentByStore.GetValue(store, _ => new Recent());
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
            logger ??= store.Options is StoreOptions options && Loggers.TryGetValue(options, out var known) ? known : null;
            logger?.LogError(e, "Could not record the refused read of {Resource} for {Actor}", resource, actor.UserName);
            return false;
        }
    }

    /// <summary>A name-based UUID (version 5 layout) of the case-folded user, the resource and the minute.</summary>
    public static Guid EventIdFor(string userName, string resource, DateTimeOffset minute)
    {
        var key = $"auditportal:read-refused:{userName.Trim().ToLowerInvariant()}\n{resource}\n{minute.UtcTicks}";
        var bytes = SHA1.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    private static bool IsDuplicate(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } || e.InnerException is { } inner && IsDuplicate(inner);

    /// <summary>The event ids taken in the current minute; older minutes are forgotten as soon as a newer one is seen.</summary>
    private sealed class Recent
    {
        private readonly ConcurrentDictionary<Guid, DateTimeOffset> _taken = new();
        private DateTimeOffset _minute;

        public bool TryTake(Guid id, DateTimeOffset minute)
        {
            lock (_taken)
            {
                if (minute > _minute)
                {
                    _minute = minute;
                    foreach (var (key, at) in _taken)
                        if (at < minute) _taken.TryRemove(key, out _);
                }
            }
            return _taken.TryAdd(id, minute);
        }

        public void Forget(Guid id) => _taken.TryRemove(id, out _);
    }
}
