namespace AuditPortal.Core.Wallets;

public static class SpendTypes
{
    public const string JobLaunch = "jobLaunch";
    public const string Manual = "manual";
}

public static class GrantTypes
{
    public const string Manual = "manual";
    public const string Refund = "refund";
}

/// <summary>Extra facts about why credits moved, e.g. the job a launch paid for.</summary>
public sealed record TypeMetadata(Guid? JobId = null);

public sealed record WalletOpened(Guid WalletId, string Owner, string OpenedBy, DateTimeOffset OpenedAt);

public sealed record CreditsGranted(
    Guid WalletId, int Amount, string Type, TypeMetadata? TypeMetadata, string GrantedBy, DateTimeOffset GrantedAt, string Reason);

public sealed record CreditsSpent(
    Guid WalletId, int Amount, string Type, TypeMetadata? TypeMetadata, string SpentBy, DateTimeOffset SpentAt, string Reason);

/// <summary>The write-side state of a wallet: only what the decisions need.</summary>
public sealed record Wallet(Guid Id, string Owner, int Balance, DateTimeOffset LastChangedAt)
{
    public static Wallet Create(WalletOpened e) => new(e.WalletId, e.Owner, 0, e.OpenedAt);

    public Wallet Apply(CreditsGranted e) => this with { Balance = checked(Balance + e.Amount), LastChangedAt = e.GrantedAt };

    public Wallet Apply(CreditsSpent e) => this with { Balance = checked(Balance - e.Amount), LastChangedAt = e.SpentAt };
}

/// <summary>Folds a wallet's events outside Marten (pure tests, the demo generator); same rules as Marten's live aggregation.</summary>
public static class WalletHistory
{
    public static Wallet? Apply(Wallet? state, object e) => e switch
    {
        WalletOpened opened => Wallet.Create(opened),
        CreditsGranted granted => Require(state, e).Apply(granted),
        CreditsSpent spent => Require(state, e).Apply(spent),
        _ => throw new ArgumentException($"{e.GetType().Name} is not a wallet event.", nameof(e)),
    };

    public static Wallet? Replay(IEnumerable<object> events) => events.Aggregate((Wallet?)null, Apply);

    private static Wallet Require(Wallet? state, object e) =>
        state ?? throw new InvalidOperationException($"{e.GetType().Name} before WalletOpened.");
}
