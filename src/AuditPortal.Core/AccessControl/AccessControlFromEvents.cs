using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace AuditPortal.Core.AccessControl;

/// <summary>
/// An access-control list folded from its own events, which the runtime database role can neither rewrite nor append
/// to without the portal's event key (<see cref="Integrity.EventBinding"/>); the inline <see cref="AccessControlListView"/> is a writable document and only serves display.
/// The stream's current version is read from <c>mt_events</c> itself (max(version), one index probe), never from
/// <c>mt_streams</c> (writable by the runtime role); the fold is cached per (store, stream id, version) and only
/// the events after the cached version are read when the version moves.
/// </summary>
public static class AccessControlFromEvents
{
    private sealed record Folded(long Version, AccessControlList? Acl);

    // Keyed by store: tests and benchmark hold several stores (databases) in one process.
    private static readonly ConditionalWeakTable<IDocumentStore, ConcurrentDictionary<Guid, Folded>> Cache = new();

    /// <summary>The list as its events say at this moment, and the version it was folded at.</summary>
    public static async Task<(AccessControlList? Acl, long Version)> LoadAsync(IQuerySession session, Guid aclId, CancellationToken ct = default)
    {
        var versions = await session.QueryAsync<long>(VersionSql(session), ct, aclId);
        return await FoldAtAsync(session, aclId, versions.Count == 0 ? 0 : versions[0], ct);
    }

    /// <summary>
    /// The same version probe queued on a batch, so that a command reads it in the round trip that fetches its own
    /// stream (<see cref="Common.CommandExecutor"/>); then <see cref="FoldAtAsync"/>.
    /// </summary>
    public static async Task<long> QueueVersion(IQuerySession session, Marten.Services.BatchQuerying.IBatchedQuery batch, Guid aclId)
    {
        // A batch reads classes only: the same probe as one JSON row.
        var rows = await batch.Query<VersionRow>($"select jsonb_build_object('version', ({VersionSql(session)}))", aclId);
        return rows.Count == 0 ? 0 : rows[0].Version;
    }

    private sealed class VersionRow { public long Version { get; set; } }

    private static string VersionSql(IQuerySession session) =>
        $"select coalesce(max(version), 0) from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events where stream_id = ?";

    /// <summary>The list folded up to <paramref name="version"/>, read from <c>mt_events</c> a moment before (cached per version).</summary>
    public static async Task<(AccessControlList? Acl, long Version)> FoldAtAsync(IQuerySession session, Guid aclId, long version, CancellationToken ct = default)
    {
        var byId = Cache.GetOrCreateValue(session.DocumentStore);
        if (byId.TryGetValue(aclId, out var cached) && cached.Version == version) return (cached.Acl, version);

        // Refold only what is new; a cache ahead of the table (a restored database) folds from the start.
        var start = cached is not null && cached.Version < version ? cached : new Folded(0, null);
        var acl = start.Acl;
        if (version > start.Version)
        {
            var events = await session.Events.FetchStreamAsync(aclId, version, null, start.Version + 1, ct);
            // Every event here was bound to the portal when written (the database refuses an unbound one, EventBinding).
            foreach (var e in events.OrderBy(x => x.Version)) acl = AccessControlListHistory.Apply(acl, e.Data);
        }
        byId[aclId] = new Folded(version, acl);
        return (acl, version);
    }

    /// <summary>
    /// Compares the read model with the fold. Null when they agree; otherwise what differs, in words.
    /// A difference means the document was written outside the projection (or the projection is broken).
    /// </summary>
    public static async Task<string?> CompareWithReadModelAsync(IQuerySession session, Guid aclId, CancellationToken ct = default)
    {
        var (acl, version) = await LoadAsync(session, aclId, ct);
        var view = await session.LoadAsync<AccessControlListView>(aclId, ct);
        if (acl is null && view is null) return null;
        if (acl is null) return $"the read model of {view!.Resource} exists but its stream has no events";
        if (view is null) return $"the read model of {acl.Resource} is missing";

        static HashSet<(string, Permission)> Set(IEnumerable<(string Principal, Permission Permission)> entries) =>
            entries.Select(x => (x.Principal.ToLowerInvariant(), x.Permission)).ToHashSet();
        var fromEvents = Set(acl.Entries.Select(x => (x.Principal, x.Permission)));
        var fromView = Set(view.Entries.Select(x => (x.Principal, x.Permission)));
        var extra = fromView.Except(fromEvents).Select(x => $"{x.Item1} {x.Item2}").Order().ToList();
        var missing = fromEvents.Except(fromView).Select(x => $"{x.Item1} {x.Item2}").Order().ToList();
        var problems = new List<string>();
        if (extra.Count > 0) problems.Add($"the read model grants what no event granted: {string.Join(", ", extra)}");
        if (missing.Count > 0) problems.Add($"the read model lacks what the events grant: {string.Join(", ", missing)}");
        if (!string.Equals(view.Resource, acl.Resource, StringComparison.Ordinal)) problems.Add($"the read model names resource {view.Resource}, the events {acl.Resource}");
        return problems.Count == 0 ? null : $"Access-control list {acl.Resource} ({aclId}) at version {version}: {string.Join("; ", problems)}.";
    }
}
