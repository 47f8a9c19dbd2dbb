using System.Collections.Concurrent;
using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Integrity;
using Marten;
using Microsoft.Extensions.Logging;

namespace AuditPortal.Core.Common;

/// <summary>
/// What the portal keeps per document store, beside Marten: the clock of the permission fold, the event binding, the
/// folded access-control lists by version and the refused reads recorded this minute. One instance per store, made
/// where the store's options are made (<see cref="Projections.PortalStore.Configure"/>, which gets the host's clock
/// and logger from <c>AddPortalMarten</c>) and carried by those options as a session listener (it listens to nothing),
/// so it lives exactly as long as its store; the host also registers it as a singleton. Tests, the benchmark and
/// the CLI hold several stores in one process, each with its own.
/// </summary>
public sealed class PortalStoreState : DocumentSessionListenerBase
{
    public PortalStoreState(TimeProvider? clock = null, ILogger? logger = null)
    {
        Clock = clock ?? TimeProvider.System;
        Logger = logger;
    }

    /// <summary>
    /// The host's <see cref="TimeProvider"/>, so that a time-bound grant ends at its instant on the same clock the
    /// services and the expiry recorder use, and a test's manual clock moves all of them. Not Marten's
    /// <c>Events.TimeProvider</c>: that one stamps events, which must keep the real time.
    /// </summary>
    public TimeProvider Clock { get; }

    /// <summary>Where failures without a caller's own logger go (a refused read that could not be recorded).</summary>
    public ILogger? Logger { get; }

    /// <summary>The binding of every event this store saves (null without Integrity:EventKey), set by <see cref="EventBinding.Register"/>.</summary>
    public EventBinding? Binding { get; internal set; }

    /// <summary>Each list folded from its events at a version (<see cref="AccessControlFromEvents"/>).</summary>
    internal ConcurrentDictionary<Guid, (long Version, AccessControlList? Acl)> AclFolds { get; } = new();

    /// <summary>The refused reads this node recorded in the current minute (<see cref="ReadRefusals"/>).</summary>
    internal RecentKeys RecentRefusals { get; } = new();

    /// <summary>This node's answer to "is a previous version of the read models serving?", kept while its change feed listens.</summary>
    public Projections.PreviousVersionCache PreviousVersion { get; } = new();

    /// <summary>Attaches a new state to options being configured; the options' existing one is replaced.</summary>
    public static PortalStoreState AttachTo(StoreOptions options, PortalStoreState state)
    {
        foreach (var old in options.Listeners.OfType<PortalStoreState>().ToList()) options.Listeners.Remove(old);
        options.Listeners.Add(state);
        return state;
    }

    /// <summary>The state of the store built from <paramref name="options"/>.</summary>
    public static PortalStoreState Of(StoreOptions options) =>
        options.Listeners.OfType<PortalStoreState>().FirstOrDefault()
        // A store not configured by PortalStore.Configure: the defaults, and no memory between calls.
        ?? new PortalStoreState();

    public static PortalStoreState Of(IDocumentStore store) =>
        store.Options is StoreOptions options ? Of(options) : new PortalStoreState();

    /// <summary>Keys taken in the current minute; older minutes are forgotten as soon as a newer one is seen.</summary>
    internal sealed class RecentKeys
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
