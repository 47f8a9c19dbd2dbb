namespace AuditPortal.Core.Overview;

/// <summary>The wallet's balance right after one of its events; <see cref="Sequence"/> identifies the event for its permalink.</summary>
public sealed record BalanceStep(long Sequence, long Version, DateTimeOffset At, int Balance, int Change, string EventType);

/// <summary>The wallet page's balance chart reads through this (a page test gives it an empty one).</summary>
public interface IWalletBalanceHistory
{
    Task<IReadOnlyList<BalanceStep>> LoadAsync(Guid walletId, CancellationToken ct = default);
}

/// <summary>A wallet's balance over time, folded from its own stream (the history, not a read model). Needs ReadWallets.</summary>
public sealed class WalletBalanceHistory(IDocumentStore store, ICurrentActor current) : IWalletBalanceHistory, IPortalReads
{
    public async Task<IReadOnlyList<BalanceStep>> LoadAsync(Guid walletId, CancellationToken ct = default)
    {
        var actor = await current.GetActorAsync();
        await using var session = store.QuerySession();
        await PortalAccess.DemandAsync(session, actor, Resources.Wallet(walletId), ct, Permission.ReadWallets);
        var events = await session.Events.FetchStreamAsync(walletId, token: ct);
        return Fold(events.Select(e => (e.Sequence, e.Version, e.Timestamp, e.Data)));
    }

    /// <summary>Pure: the running balance after each wallet event, in stream order.</summary>
    public static IReadOnlyList<BalanceStep> Fold(IEnumerable<(long Sequence, long Version, DateTimeOffset At, object Data)> events)
    {
        var steps = new List<BalanceStep>();
        var balance = 0;
        foreach (var (sequence, version, at, data) in events)
        {
            var (change, type) = data switch
            {
                WalletOpened => (0, AuditTypeNames.WalletOpened),
                CreditsGranted g => (g.Amount, AuditTypeNames.CreditsGranted),
                CreditsSpent s => (-s.Amount, AuditTypeNames.CreditsSpent),
                _ => (0, data.GetType().Name),
            };
            balance += change;
            steps.Add(new BalanceStep(sequence, version, at, balance, change, type));
        }
        return steps;
    }
}
