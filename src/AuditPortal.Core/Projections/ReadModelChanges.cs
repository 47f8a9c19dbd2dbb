using System.Collections.Immutable;

namespace AuditPortal.Core.Projections;

/// <summary>
/// Which read models moved, and up to which event sequence the projections have caught up.
/// <paramref name="AccessControl"/> says an access-control list changed: pages that decided what to show from the
/// user's permissions decide again. <paramref name="Approvals"/> says a request for a second person was made or decided.
/// </summary>
public sealed record ReadModelChange(long Sequence, IReadOnlySet<Guid> Wallets, IReadOnlySet<Guid> Jobs, bool AccessControl = false, bool Approvals = false)
{
    public bool TouchesWallets => Wallets.Count > 0;
    public bool TouchesJobs => Jobs.Count > 0;

    public ReadModelChange Merge(ReadModelChange other) =>
        new(Math.Max(Sequence, other.Sequence), Wallets.Union(other.Wallets).ToHashSet(), Jobs.Union(other.Jobs).ToHashSet(),
            AccessControl || other.AccessControl, Approvals || other.Approvals);
}

/// <summary>
/// In-process notifier: pages subscribe while they are open and re-query when a change concerns them.
/// A change is published only once the wallet and job read models include it, so a re-query sees it.
/// </summary>
public sealed class ReadModelChanges
{
    private readonly Lock _gate = new();
    private ImmutableArray<Func<ReadModelChange, Task>> _handlers = [];

    public IDisposable Subscribe(Func<ReadModelChange, Task> handler)
    {
        lock (_gate) _handlers = _handlers.Add(handler);
        return new Subscription(this, handler);
    }

    public int SubscriberCount => _handlers.Length;

    public async Task PublishAsync(ReadModelChange change)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                await handler(change);
            }
            catch (Exception)
            {
                // A closed circuit must not stop the other pages from hearing about the change.
            }
        }
    }

    private void Remove(Func<ReadModelChange, Task> handler)
    {
        lock (_gate) _handlers = _handlers.Remove(handler);
    }

    private sealed class Subscription(ReadModelChanges owner, Func<ReadModelChange, Task> handler) : IDisposable
    {
        public void Dispose() => owner.Remove(handler);
    }
}
