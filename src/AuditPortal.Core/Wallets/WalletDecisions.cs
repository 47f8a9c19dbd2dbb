namespace AuditPortal.Core.Wallets;

public sealed record OpenWallet(Guid WalletId, string Owner, Guid CommandId, string Actor, DateTimeOffset At);

public sealed record GrantCredits(
    Guid WalletId, int Amount, string Reason, Guid CommandId, string Actor, DateTimeOffset At,
    long? ExpectedVersion = null, string Type = GrantTypes.Manual, TypeMetadata? TypeMetadata = null,
    GrantSource Source = GrantSource.Manual);

public sealed record SpendCredits(
    Guid WalletId, int Amount, string Reason, Guid CommandId, string Actor, DateTimeOffset At,
    long? ExpectedVersion = null, string Type = SpendTypes.Manual, TypeMetadata? TypeMetadata = null);

public sealed record WalletLimits(int MaxCreditsPerOperation = 1_000_000)
{
    public static readonly WalletLimits Default = new();
}

public static class WalletDecisions
{
    public static WalletOpened Handle(Wallet? state, OpenWallet command)
    {
        Guard.NewStream(state, s => new RuleViolated(ErrorCodes.WalletExists, $"Wallet {command.WalletId} is already open (owner {s.Owner})."),
            command.WalletId, "walletId", "A wallet needs an id.");
        var owner = Guard.Name(command.Owner, "owner");
        return new WalletOpened(command.WalletId, owner, command.Actor, command.At);
    }

    public static CreditsGranted Handle(Wallet? state, GrantCredits command, WalletLimits limits)
    {
        var wallet = state ?? throw new DomainException(new NotFound("Wallet", command.WalletId.ToString()));
        var amount = Guard.Amount(command.Amount, limits.MaxCreditsPerOperation);
        var reason = Guard.Text(command.Reason, "reason");
        if ((long)wallet.Balance + amount > int.MaxValue)
            throw new DomainException(new RuleViolated(ErrorCodes.BalanceOverflow,
                $"Granting {amount:N0} credits would take the balance of {wallet.Balance:N0} above the maximum of {int.MaxValue:N0}."));
        // A refund is a refund whatever the caller picked: the source must not contradict the type.
        var source = command.Type == GrantTypes.Refund ? GrantSource.Refund : command.Source;
        return new CreditsGranted(wallet.Id, amount, command.Type, command.TypeMetadata, command.Actor, command.At, reason, source);
    }

    public static CreditsSpent Handle(Wallet? state, SpendCredits command, WalletLimits limits)
    {
        var wallet = state ?? throw new DomainException(new NotFound("Wallet", command.WalletId.ToString()));
        var amount = Guard.Amount(command.Amount, limits.MaxCreditsPerOperation);
        var reason = Guard.Text(command.Reason, "reason");
        if (amount > wallet.Balance)
            throw new DomainException(new RuleViolated(ErrorCodes.InsufficientCredits,
                $"Not enough credits in wallet: balance {wallet.Balance}, requested {amount}"));
        return new CreditsSpent(wallet.Id, amount, command.Type, command.TypeMetadata, command.Actor, command.At, reason);
    }
}
