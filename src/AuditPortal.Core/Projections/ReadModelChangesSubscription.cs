using System.Threading.Channels;
using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Approvals;
using AuditPortal.Core.Jobs;
using AuditPortal.Core.Wallets;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using Microsoft.Extensions.Logging;

namespace AuditPortal.Core.Projections;

/// <summary>
/// A Marten subscription that only notes which wallets and jobs a batch of events touched (and whether an ACL changed) and hands that to
/// <see cref="ReadModelChangesPump"/>. It must return fast: the daemon waits for it before the next batch.
/// </summary>
public sealed class ReadModelChangesSubscription : SubscriptionBase
{
    public const string SubscriptionName = "ReadModelChanges";

    private readonly ReadModelChangesPump _pump;

    public ReadModelChangesSubscription(ReadModelChangesPump pump)
    {
        _pump = pump;
        Name = SubscriptionName;
        // Pages only care about what happens while they are open: never replay the history at startup.
        Options.SubscribeFromPresent();
    }

    public override Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var wallets = new HashSet<Guid>();
        var jobs = new HashSet<Guid>();
        var accessControl = false;
        var approvals = false;
        foreach (var e in page.Events)
        {
            switch (e.Data)
            {
                case WalletOpened or CreditsGranted or CreditsSpent:
                    wallets.Add(e.StreamId);
                    break;
                case JobPosted or ParticipantInvited or JobApplicationSubmitted or ParticipantAccepted or JobLaunched or JobCompleted or JobCancelled:
                    jobs.Add(e.StreamId);
                    break;
                case AccessControlListCreated or PermissionGranted or PermissionRevoked:
                    accessControl = true;
                    break;
                case IApprovalEvent:
                    approvals = true;
                    break;
            }
        }
        if (wallets.Count > 0 || jobs.Count > 0 || accessControl || approvals)
            _pump.Enqueue(new ReadModelChange(page.SequenceCeiling, wallets, jobs, accessControl, approvals));
        return Task.FromResult(NullChangeListener.Instance);
    }
}

/// <summary>
/// Turns the subscription's batches into notifications. The subscription runs beside the projections, not after
/// them, so the read models may still lag by a batch when it sees an event: the pump waits until the wallet and
/// job projections' progress has passed the batch's sequence (polling Marten's progression table every
/// <see cref="PollInterval"/>, giving up after <see cref="MaxWait"/>), then publishes. Batches that arrive
/// meanwhile are merged into one notification, which also debounces bursts.
/// </summary>
public sealed class ReadModelChangesPump : IAsyncDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    private static readonly string[] Watched = [.. ReadModelLagProbe.WalletProjections, .. ReadModelLagProbe.JobProjections];

    private readonly Channel<ReadModelChange> _queue = Channel.CreateUnbounded<ReadModelChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly ReadModelChanges _changes;
    private readonly Func<IReadModelLag> _lag;
    private readonly ILogger<ReadModelChangesPump> _logger;
    private readonly Task _loop;

    /// <param name="lag">Resolved on first use: the subscription is built while the document store is being built.</param>
    public ReadModelChangesPump(ReadModelChanges changes, Func<IReadModelLag> lag, ILogger<ReadModelChangesPump> logger)
    {
        _changes = changes;
        _lag = lag;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public void Enqueue(ReadModelChange change) => _queue.Writer.TryWrite(change);

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(ct))
            {
                var change = Drain(null);
                var deadline = DateTimeOffset.UtcNow + MaxWait;
                while (!await CaughtUpAsync(change!.Sequence, ct) && DateTimeOffset.UtcNow < deadline)
                {
                    await Task.Delay(PollInterval, ct);
                    change = Drain(change);
                }
                await _changes.PublishAsync(change!);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private ReadModelChange? Drain(ReadModelChange? merged)
    {
        while (_queue.Reader.TryRead(out var next)) merged = merged is null ? next : merged.Merge(next);
        return merged;
    }

    private async Task<bool> CaughtUpAsync(long sequence, CancellationToken ct)
    {
        try
        {
            var lag = await _lag().MeasureAsync(Watched, ct);
            return lag.SlowestSequence >= sequence;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Could not read projection progress; notifying pages without waiting");
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
