using Marten.Events.Aggregation;

namespace AuditPortal.Benchmarks;

/// <summary>The bare-Marten reference: the simplest single-stream balance over the same wallet events.</summary>
public sealed class BareBalance
{
    public Guid Id { get; set; }
    public int Credits { get; set; }
}

public sealed partial class BareBalanceProjection : SingleStreamProjection<BareBalance, Guid>
{
    public static BareBalance Create(WalletOpened e) => new() { Id = e.WalletId };

    public static void Apply(CreditsGranted e, BareBalance view) => view.Credits += e.Amount;

    public static void Apply(CreditsSpent e, BareBalance view) => view.Credits -= e.Amount;
}
