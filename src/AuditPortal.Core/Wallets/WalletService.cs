using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Common;
using Marten;

namespace AuditPortal.Core.Wallets;

/// <summary>Support staff's commands on wallets: one lightweight session per command.</summary>
public sealed class WalletService(CommandExecutor executor, WalletLimits limits, TimeProvider time) : IWalletCommands
{
    public Task<CommandResult> OpenAsync(Actor actor, Guid commandId, Guid walletId, string owner, CancellationToken ct = default) =>
        executor.ExecuteAsync(actor, Permission.GrantCredits, commandId, nameof(OpenWallet), async session =>
        {
            var existing = await session.Events.AggregateStreamAsync<Wallet>(walletId, token: ct);
            var opened = WalletDecisions.Handle(existing, new OpenWallet(walletId, owner, commandId, actor.UserName, time.GetUtcNow()));
            session.Events.StartStream<Wallet>(walletId, opened);
            return CommandResult.Accepted(walletId, 1, $"Wallet opened for {opened.Owner}.");
        }, ct: ct);

    public Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid walletId, int amount, string reason, long? expectedVersion, CancellationToken ct = default) =>
        executor.ExecuteAsync(actor, Permission.GrantCredits, commandId, nameof(GrantCredits), async session =>
        {
            var stream = await FetchAsync(session, walletId, expectedVersion, ct);
            var granted = WalletDecisions.Handle(stream.Aggregate,
                new GrantCredits(walletId, amount, reason, commandId, actor.UserName, time.GetUtcNow(), expectedVersion), limits);
            stream.AppendOne(granted);
            return CommandResult.Accepted(walletId, stream.CurrentVersion!.Value,
                $"Granted {granted.Amount} credits; balance is now {stream.Aggregate!.Balance + granted.Amount}.");
        }, () => ConflictAsync(walletId, ct), ct);

    public Task<CommandResult> SpendAsync(Actor actor, Guid commandId, Guid walletId, int amount, string reason, long? expectedVersion, CancellationToken ct = default) =>
        executor.ExecuteAsync(actor, Permission.SpendCredits, commandId, nameof(SpendCredits), async session =>
        {
            var stream = await FetchAsync(session, walletId, expectedVersion, ct);
            var spent = WalletDecisions.Handle(stream.Aggregate,
                new SpendCredits(walletId, amount, reason, commandId, actor.UserName, time.GetUtcNow(), expectedVersion), limits);
            stream.AppendOne(spent);
            return CommandResult.Accepted(walletId, stream.CurrentVersion!.Value,
                $"Spent {spent.Amount} credits; balance is now {stream.Aggregate!.Balance - spent.Amount}.");
        }, () => ConflictAsync(walletId, ct), ct);

    /// <summary>
    /// With the version the user saw, a concurrent change is a conflict to show; without one (internal callers),
    /// the stream is locked for the transaction so that parallel spends serialize and the balance check holds.
    /// </summary>
    private static Task<JasperFx.Events.IEventStream<Wallet>> FetchAsync(IDocumentSession session, Guid walletId, long? expectedVersion, CancellationToken ct) =>
        // Marten throws on an empty stream id: no wallet has it, so say so.
        walletId == Guid.Empty ? throw new DomainException(new NotFound("Wallet", walletId.ToString()))
        : expectedVersion is { } v
            ? session.Events.FetchForWriting<Wallet>(walletId, v, ct)
            : session.Events.FetchForExclusiveWriting<Wallet>(walletId, ct);

    private async Task<CommandResult> ConflictAsync(Guid walletId, CancellationToken ct)
    {
        await using var query = executor.Store.QuerySession();
        var wallet = await query.Events.AggregateStreamAsync<Wallet>(walletId, token: ct);
        // An expected version on a wallet that was never opened is not a conflict: the wallet does not exist.
        if (wallet is null) return CommandResult.Rejected(new NotFound("Wallet", walletId.ToString()));
        var state = await query.Events.FetchStreamStateAsync(walletId, ct);
        return CommandResult.Conflict(
            $"This wallet changed since you opened it: the balance is now {wallet.Balance}. Nothing was recorded; check and try again.",
            state?.Version);
    }
}
