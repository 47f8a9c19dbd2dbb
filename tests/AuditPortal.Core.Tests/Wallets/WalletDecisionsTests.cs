using AuditPortal.Core.Common;
using AuditPortal.Core.Wallets;

namespace AuditPortal.Core.Tests.Wallets;

public class WalletDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid WalletId = Guid.Parse("0193a8f1-9113-7000-8000-000000000001");

    private static Wallet Given(params object[] events)
    {
        Wallet? state = null;
        foreach (var e in events)
        {
            state = e switch
            {
                WalletOpened o => Wallet.Create(o),
                CreditsGranted g => state!.Apply(g),
                CreditsSpent s => state!.Apply(s),
                _ => throw new ArgumentException($"Unknown event {e}"),
            };
        }
        return state!;
    }

    private static WalletOpened Opened => new(WalletId, "dana", "alice", Now);
    private static CreditsGranted Granted(int amount) => new(WalletId, amount, GrantTypes.Manual, null, "alice", Now, "goodwill");

    [Fact]
    public void GivenOpenWallet_WhenGrantingFiveCredits_ThenCreditsGrantedRecordsWhoWhenAndWhy()
    {
        var state = Given(Opened);

        var e = WalletDecisions.Handle(state, new GrantCredits(WalletId, 5, " goodwill ", Guid.NewGuid(), "alice", Now), WalletLimits.Default);

        Assert.Equal(new CreditsGranted(WalletId, 5, GrantTypes.Manual, null, "alice", Now, "goodwill"), e);
    }

    [Fact]
    public void GivenBalanceThree_WhenSpendingFive_ThenNotEnoughCreditsIsRejected()
    {
        var state = Given(Opened, Granted(3));

        var error = Assert.Throws<DomainException>(() =>
            WalletDecisions.Handle(state, new SpendCredits(WalletId, 5, "test", Guid.NewGuid(), "alice", Now), WalletLimits.Default));

        Assert.Equal("Not enough credits in wallet: balance 3, requested 5", error.Message);
        Assert.Equal("insufficient-credits", error.Error.Code);
    }
}
