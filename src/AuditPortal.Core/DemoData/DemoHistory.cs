using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Approvals;
using AuditPortal.Core.Common;
using AuditPortal.Core.Jobs;
using AuditPortal.Core.Wallets;
using JasperFx;
using Marten.Events;
using BulkInsertMode = Weasel.Core.BulkInsertMode;

namespace AuditPortal.Core.DemoData;

/// <summary>
/// Deterministic demo history: the demo users and their portal personas, marketplace users with wallets and
/// jobs, per-resource access-control lists, and months of credit movements. Every event is produced by the
/// pure decisions, so the history is one the command services could have written.
/// </summary>
public static class DemoHistory
{
    /// <summary>
    /// The events in time order, lazily (a million events never sit in memory at once). Each stream's events
    /// come in version order; the events of one command are adjacent and share a command id.
    /// </summary>
    public static IEnumerable<DemoEvent> Generate(DemoOptions? options = null) => new DemoGenerator(options ?? DemoOptions.Small).Run();

    /// <summary>
    /// Writes the history with Marten's order-preserving binary COPY import, so every event keeps its historic time
    /// in Marten's own <c>timestamp</c> column (an append through a session would stamp the seeding moment on all of
    /// them) together with its command's user, correlation id and causation id (the command id), and sequence
    /// numbers follow time as they would have live. The COPY path skips inline projections, so the access-control
    /// views are built from their streams afterwards; async projections and the event sealer pick the events up from
    /// the high-water mark, which the import advances. Meant for an empty event store (or one holding only the
    /// portal's own list when <see cref="DemoOptions.IncludePortalAcl"/> is off): it never appends to a stream that
    /// already exists.
    /// </summary>
    public static async Task<DemoSeedSummary> SeedAsync(IDocumentStore store, DemoOptions? options = null, CancellationToken ct = default)
    {
        var registry = (IEventRegistry)((StoreOptions)store.Options).Events;
        // A few thousand events: generated in memory first, because the stream headers go in before the events.
        var generated = Generate(options).ToList();
        var headers = generated.GroupBy(e => e.StreamId)
            .Select(g => new BulkEventStreamHeader { Id = g.Key, Version = g.Max(e => e.Version), AggregateType = g.First().StreamType })
            .ToList();
        var binding = Integrity.EventBinding.For(store);
        var bindingTime = new BindingClock();
        var requestEvents = new List<IEvent>();
        await store.BulkInsertEventStreamAsync(StorageConstants.DefaultTenantId, headers,
            ToEvents(registry, generated, binding, store.Options.Serializer(), bindingTime, requestEvents, UpgradedAt(generated)), 1000, ct);

        var aclIds = generated.Where(e => e.StartsStream && e.StreamType == typeof(AccessControlList)).Select(e => e.StreamId).ToList();
        await BuildAccessControlViewsAsync(store, aclIds, ct);
        await StoreRequestViewsAsync(store, requestEvents.GroupBy(e => e.StreamId), ct);

        int Started(Type type) => generated.Count(e => e.StartsStream && e.StreamType == type);
        return new DemoSeedSummary(generated.Count, generated.Select(e => e.CommandId).Distinct().Count(),
            Started(typeof(Wallet)), Started(typeof(Job)), Started(typeof(AccessControlList)),
            generated.Count > 0 ? generated[0].At : null, generated.Count > 0 ? generated[^1].At : null, bindingTime.Total);
    }

    private sealed class BindingClock { public TimeSpan Total; }

    /// <summary>The grants of the history's first half are stored as v1, as the portal did before grants had a source.</summary>
    public static DateTimeOffset UpgradedAt(IReadOnlyList<DemoEvent> generated) =>
        generated.Count == 0 ? DateTimeOffset.MinValue : generated[0].At + (generated[^1].At - generated[0].At) / 2;

    /// <summary>
    /// The import bypasses sessions (and their binding listener): each event is bound here, with its historic time
    /// signed, which the database accepts only from the schema owner (run the seed as that role; the runtime role's
    /// events always get the database's time).
    /// </summary>
    private static async IAsyncEnumerable<IEvent> ToEvents(IEventRegistry registry, IEnumerable<DemoEvent> events, Integrity.EventBinding? binding,
        ISerializer serializer, BindingClock clock, List<IEvent> requestEvents, DateTimeOffset upgradedAt)
    {
        foreach (var e in events)
        {
            var stored = registry.BuildEvent(OlderVersions.AsOf(e.Data, e.At, upgradedAt));
            OlderVersions.Name(stored);
            if (stored.Id == Guid.Empty) stored.Id = Guid.CreateVersion7();
            clock.Total += EventLog.ForImport(stored, e.StreamId, e.Version, e.At, new EventMetadata(e.UserName, e.CorrelationId, e.CommandId.ToString()),
                binding, serializer);
            if (e.StreamType == typeof(ApprovalRequest)) requestEvents.Add(stored);
            yield return stored;
        }
        await Task.CompletedTask;
    }

    /// <summary>
    /// The approvals page's rows, inline in the portal, folded from the imported request events (as stored, with their
    /// correlation) by the projection's own rules; each stream's events in version order. Shared with the benchmark's
    /// import of requests.
    /// </summary>
    public static async Task StoreRequestViewsAsync(IDocumentStore store, IEnumerable<IEnumerable<IEvent>> requestStreams, CancellationToken ct = default)
    {
        var views = requestStreams.Select(events => ApprovalRequestViewProjection.FromEvents(events)!).ToList();
        if (views.Count == 0) return;
        await store.BulkInsertDocumentsAsync(views, BulkInsertMode.OverwriteExisting, 1000, ct);
    }

    /// <summary>The inline projection did not run during the import: fold each imported list's stream into its view.</summary>
    private static async Task BuildAccessControlViewsAsync(IDocumentStore store, IReadOnlyCollection<Guid> aclIds, CancellationToken ct)
    {
        if (aclIds.Count == 0) return;
        await using var session = store.LightweightSession();
        foreach (var id in aclIds)
        {
            var view = await session.Events.AggregateStreamAsync<AccessControlListView>(id, token: ct);
            if (view is not null) session.Store(view);
        }
        await session.SaveChangesAsync(ct);
    }
}
