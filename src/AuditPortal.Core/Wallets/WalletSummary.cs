using Marten.Events.Aggregation;

namespace AuditPortal.Core.Wallets;

/// <summary>One row of the wallet list; <see cref="Version"/> is the expected version for the next command.</summary>
public sealed class WalletSummary
{
    public Guid Id { get; set; }
    public string Owner { get; set; } = "";
    public int Balance { get; set; }
    public long Version { get; set; }
    public int TransactionCount { get; set; }
    public long TotalGranted { get; set; }
    public long TotalSpent { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset LastChangedAt { get; set; }
    public string LastChangedBy { get; set; } = "";
}

public sealed partial class WalletSummaryProjection : SingleStreamProjection<WalletSummary, Guid>
{
    public static WalletSummary Create(WalletOpened e) =>
        new() { Id = e.WalletId, Owner = e.Owner, OpenedAt = e.OpenedAt, LastChangedAt = e.OpenedAt, LastChangedBy = e.OpenedBy };

    public static void Apply(CreditsGranted e, WalletSummary view)
    {
        view.Balance += e.Amount;
        view.TotalGranted += e.Amount;
        view.TransactionCount++;
        view.LastChangedAt = e.GrantedAt;
        view.LastChangedBy = e.GrantedBy;
    }

    public static void Apply(CreditsSpent e, WalletSummary view)
    {
        view.Balance -= e.Amount;
        view.TotalSpent += e.Amount;
        view.TransactionCount++;
        view.LastChangedAt = e.SpentAt;
        view.LastChangedBy = e.SpentBy;
    }
}
