using System.Collections.Immutable;

namespace AuditPortal.Core.Projections;

/// <summary>
/// Which read models moved, and up to which event sequence the projections have caught up.
/// <paramref name="AccessControl"/> says an access-control list changed: pages that decided what to show from the
/// user's permissions decide again. <paramref name="All"/> stands for "anything may have changed" (a range too long to
/// inspect, e.g. after a rebuild): every live page reloads once. <paramref name="Approvals"/> says a request for a second
/// person was made or decided.
/// </summary>
public sealed record ReadModelChange(long Sequence, IReadOnlySet<Guid> Wallets, IReadOnlySet<Guid> Jobs, bool AccessControl = false, bool All = false, bool Approvals = false)
{
    public bool TouchesWallets => All || Wallets.Count > 0;
    public bool TouchesJobs => All || Jobs.Count > 0;
    public bool ChangesWallet(Guid id) => All || Wallets.Contains(id);
    public bool ChangesJob(Guid id) => All || Jobs.Contains(id);

    public static ReadModelChange Everything(long sequence) => new(sequence, new HashSet<Guid>(), new HashSet<Guid>(), AccessControl: true, All: true);

    public ReadModelChange Merge(ReadModelChange other) =>
        new(Math.Max(Sequence, other.Sequence), Wallets.Union(other.Wallets).ToHashSet(), Jobs.Union(other.Jobs).ToHashSet(),
            AccessControl || other.AccessControl, All || other.All, Approvals || other.Approvals);

    /// <summary>What events of each type change for live pages (other events change nothing a live page shows): spelled once.</summary>
    public static readonly IReadOnlyDictionary<Type, ChangeKind> Kinds = new Dictionary<Type, ChangeKind>
    {
        [typeof(WalletOpened)] = ChangeKind.Wallet,
        [typeof(CreditsGranted)] = ChangeKind.Wallet,
        [typeof(CreditsSpent)] = ChangeKind.Wallet,
        [typeof(JobPosted)] = ChangeKind.Job,
        [typeof(ParticipantInvited)] = ChangeKind.Job,
        [typeof(JobApplicationSubmitted)] = ChangeKind.Job,
        [typeof(ParticipantAccepted)] = ChangeKind.Job,
        [typeof(JobLaunched)] = ChangeKind.Job,
        [typeof(JobCompleted)] = ChangeKind.Job,
        [typeof(JobCancelled)] = ChangeKind.Job,
        [typeof(AccessControlListCreated)] = ChangeKind.AccessControl,
        [typeof(PermissionGranted)] = ChangeKind.AccessControl,
        [typeof(PermissionRevoked)] = ChangeKind.AccessControl,
        [typeof(PermissionExpired)] = ChangeKind.AccessControl,
        [typeof(ApprovalRequested)] = ChangeKind.Approvals,
        [typeof(RequestApproved)] = ChangeKind.Approvals,
        [typeof(ApprovalRefused)] = ChangeKind.Approvals,
        [typeof(RequestRejected)] = ChangeKind.Approvals,
        [typeof(RequestWithdrawn)] = ChangeKind.Approvals,
        [typeof(RequestExpired)] = ChangeKind.Approvals,
    };
}

public enum ChangeKind { None, Wallet, Job, AccessControl, Approvals }

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
