namespace AuditPortal.Core.Wallets;

/// <summary>
/// Support staff's commands on wallets, each one pass through the decide step of <see cref="CommandExecutor"/>; a grant
/// or spend above the <see cref="ApprovalPolicy"/>'s threshold is recorded as a request for a second person instead.
/// </summary>
public sealed class WalletService(CommandExecutor executor, WalletLimits limits, TimeProvider time, ApprovalService? approvals = null) : IWalletCommands
{
    public static readonly StreamKind<Wallet> Wallets = new("Wallet",
        wallet => $"This wallet changed since you opened it: the balance is now {wallet.Balance}. Nothing was recorded; check and try again.");

    public Task<CommandResult> OpenAsync(Actor actor, Guid commandId, Guid walletId, string owner, CancellationToken ct = default) =>
        executor.StartAsync(actor, Permission.GrantCredits, commandId, nameof(OpenWallet), walletId,
            (Wallet? existing) => WalletDecisions.Handle(existing, new OpenWallet(walletId, owner, commandId, actor.UserName, time.GetUtcNow())),
            opened => $"Wallet opened for {opened.Owner}.", ct);

    public Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid walletId, int amount, string reason, long? expectedVersion,
        GrantSource source = GrantSource.Manual, CancellationToken ct = default) =>
        approvals?.NeedsApproval(actor, ApprovalTarget.Grant(walletId, amount)) == true
            ? approvals.RequestAsync(actor, commandId, ApprovalTarget.Grant(walletId, amount), reason, ct)
            : executor.DecideAsync(Wallets, actor, Permission.GrantCredits, commandId, nameof(GrantCredits), walletId, expectedVersion,
            wallet => WalletDecisions.Handle(wallet, new GrantCredits(walletId, amount, reason, commandId, actor.UserName, time.GetUtcNow(), expectedVersion, Source: source), limits),
            (wallet, granted) => $"Granted {granted.Amount} credits; balance is now {wallet.Balance + granted.Amount}.", ct);

    public Task<CommandResult> SpendAsync(Actor actor, Guid commandId, Guid walletId, int amount, string reason, long? expectedVersion, CancellationToken ct = default) =>
        approvals?.NeedsApproval(actor, ApprovalTarget.Spend(walletId, amount)) == true
            ? approvals.RequestAsync(actor, commandId, ApprovalTarget.Spend(walletId, amount), reason, ct)
            : executor.DecideAsync(Wallets, actor, Permission.SpendCredits, commandId, nameof(SpendCredits), walletId, expectedVersion,
            wallet => WalletDecisions.Handle(wallet, new SpendCredits(walletId, amount, reason, commandId, actor.UserName, time.GetUtcNow(), expectedVersion), limits),
            (wallet, spent) => $"Spent {spent.Amount} credits; balance is now {wallet.Balance - spent.Amount}.", ct);
}
