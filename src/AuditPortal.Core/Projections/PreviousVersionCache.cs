using System.Diagnostics;
using Marten;

namespace AuditPortal.Core.Projections;

/// <summary>
/// This node's answer to "is a previous version of the read models serving?" (<see cref="ReadModelUpgrade.PreviousIsServingAsync"/>),
/// so a list read does not pay a catalog query each time. Trusted only while this node's <see cref="ReadModelChangeFeed"/>
/// listens: the upgrade's move and the switch NOTIFY the feed's channel in their own transaction
/// (<see cref="ReadModelUpgrade.VersionNotice"/>), and the feed forgets the answer when that arrives, when it
/// (re)connects, and when it stops hearing its connection for <see cref="ReadModelChangeFeed"/>'s trust window.
/// Unknown or untrusted means "probe", so a node without a feed (the CLI, tests) or with a broken one reads the catalog
/// as before and never keeps a stale "no". One instance per store, held by its <see cref="Common.PortalStoreState"/>.
/// </summary>
public sealed class PreviousVersionCache
{
    private readonly Lock _gate = new();
    private long _generation;
    private bool? _serving;
    private long _trustedUntil; // Stopwatch ticks; 0: no feed vouches for the answer.

    public static PreviousVersionCache For(IDocumentStore store) => Common.PortalStoreState.Of(store).PreviousVersion;

    /// <summary>The cached answer while a listening feed vouches for it; null: probe the catalog.</summary>
    public bool? Known
    {
        get
        {
            lock (_gate) return Stopwatch.GetTimestamp() < _trustedUntil ? _serving : null;
        }
    }

    /// <summary>Taken before a probe; an answer offered under an older generation predates a change and is dropped.</summary>
    public long Generation
    {
        get
        {
            lock (_gate) return _generation;
        }
    }

    /// <summary>A probe's answer: kept if nothing was forgotten since <paramref name="generation"/> and a feed vouches.</summary>
    public void Offer(long generation, bool serving)
    {
        lock (_gate)
            if (generation == _generation && Stopwatch.GetTimestamp() < _trustedUntil) _serving = serving;
    }

    /// <summary>The version may have changed (a notice arrived, or notices may have been missed): the next read probes.</summary>
    public void Forget()
    {
        lock (_gate)
        {
            _generation++;
            _serving = null;
        }
    }

    /// <summary>The feed heard its connection just now: answers stay trusted for <paramref name="window"/>.</summary>
    public void Vouch(TimeSpan window)
    {
        lock (_gate) _trustedUntil = Stopwatch.GetTimestamp() + (long)(window.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>The feed lost its connection or stopped: nothing is trusted until it listens again.</summary>
    public void Withdraw()
    {
        lock (_gate)
        {
            _generation++;
            _serving = null;
            _trustedUntil = 0;
        }
    }
}
