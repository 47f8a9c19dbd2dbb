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
