using AuditPortal.Core.Common;
using AuditPortal.Core.Wallets;
using static AuditPortal.Core.Tests.GivenWhenThen;

namespace AuditPortal.Core.Tests.Wallets;

public class WalletDecisionsTests
{
    private static readonly Guid WalletId = Guid.Parse("0193a8f1-9113-7000-8000-000000000001");
    private static readonly Guid JobId = Guid.Parse("9348e9b3-43b8-4531-b79c-d70d0cb66ba0");
    private static readonly WalletLimits Limits = new(MaxCreditsPerOperation: 1000);

    private static WalletOpened Opened => new(WalletId, "dana", "alice", Now);
    private static CreditsGranted Granted(int amount) => new(WalletId, amount, GrantTypes.Manual, null, "alice", Now, "goodwill");
    private static CreditsSpent Spent(int amount) => new(WalletId, amount, SpendTypes.Manual, null, "alice", Now, "fee");
    private static GrantCredits Grant(int amount, string reason = "goodwill") => new(WalletId, amount, reason, Guid.NewGuid(), "alice", Now);
    private static SpendCredits Spend(int amount, string reason = "fee") => new(WalletId, amount, reason, Guid.NewGuid(), "alice", Now);

    [Fact]
    public void GivenNoWallet_WhenOpeningIt_ThenWalletOpenedRecordsOwnerWhoAndWhen()
    {
        var e = WalletDecisions.Handle(GivenWallet(), new OpenWallet(WalletId, " dana ", Guid.NewGuid(), "alice", Now));

        Assert.Equal(new WalletOpened(WalletId, "dana", "alice", Now), e);
    }

    [Fact]
    public void GivenNoWallet_WhenOpeningWithAnEmptyId_ThenTheIdIsRejected()
    {
        ThenInvalid(() => WalletDecisions.Handle(null, new OpenWallet(Guid.Empty, "dana", Guid.NewGuid(), "alice", Now)), "walletId");
    }

    [Fact]
    public void GivenOpenWallet_WhenOpeningItAgain_ThenWalletExistsIsRejected()
    {
        var state = GivenWallet(Opened);

        ThenRejected(() => WalletDecisions.Handle(state, new OpenWallet(WalletId, "dana", Guid.NewGuid(), "alice", Now)), ErrorCodes.WalletExists);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void GivenNoWallet_WhenOpeningWithoutOwner_ThenOwnerIsRequired(string? owner)
    {
        ThenInvalid(() => WalletDecisions.Handle(null, new OpenWallet(WalletId, owner!, Guid.NewGuid(), "alice", Now)), "owner");
    }

    [Fact]
    public void GivenNoWallet_WhenOpeningWithTooLongOwner_ThenOwnerIsRejectedNotCut()
    {
        var error = ThenInvalid(() => WalletDecisions.Handle(null, new OpenWallet(WalletId, new string('x', Guard.MaxNameLength + 1), Guid.NewGuid(), "alice", Now)), "owner");

        Assert.Contains("201", error.Message);
    }

    [Fact]
    public void GivenOpenWallet_WhenGrantingFiveCredits_ThenCreditsGrantedRecordsWhoWhenAndWhy()
    {
        var state = GivenWallet(Opened);

        var e = WalletDecisions.Handle(state, Grant(5, " goodwill "), Limits);

        Assert.Equal(new CreditsGranted(WalletId, 5, GrantTypes.Manual, null, "alice", Now, "goodwill"), e);
    }

    [Fact]
    public void GivenOpenWallet_WhenGrantingExactlyTheCeiling_ThenItIsAccepted()
    {
        var e = WalletDecisions.Handle(GivenWallet(Opened), Grant(1000), Limits);

        Assert.Equal(1000, e.Amount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void GivenOpenWallet_WhenGrantingLessThanOne_ThenAmountIsRejected(int amount)
    {
        var error = ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened), Grant(amount), Limits), "amount");

        Assert.Contains("at least 1", error.Message);
    }

    [Fact]
    public void GivenOpenWallet_WhenGrantingAboveTheCeiling_ThenAmountIsRejected()
    {
        var error = ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened), Grant(1001), Limits), "amount");

        Assert.Contains("limit of 1,000", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \t ")]
    [InlineData(null)]
    public void GivenOpenWallet_WhenGrantingWithoutReason_ThenReasonIsRequired(string? reason)
    {
        var error = ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened), Grant(5, reason!), Limits), "reason");

        Assert.Equal("A reason is required.", error.Message);
    }

    [Fact]
    public void GivenOpenWallet_WhenGrantingWithTooLongReason_ThenReasonIsRejected()
    {
        ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened), Grant(5, new string('r', Guard.MaxTextLength + 1)), Limits), "reason");
    }

    [Fact]
    public void GivenOpenWallet_WhenGrantingReasonOfExactlyTheMaximum_ThenItIsKept()
    {
        var reason = new string('r', Guard.MaxTextLength);

        Assert.Equal(reason, WalletDecisions.Handle(GivenWallet(Opened), Grant(5, reason), Limits).Reason);
    }

    [Fact]
    public void GivenNeverOpenedWallet_WhenGranting_ThenWalletNotFoundIsRejected()
    {
        ThenRejected(() => WalletDecisions.Handle(GivenWallet(), Grant(5), Limits), ErrorCodes.NotFound);
    }

    [Fact]
    public void GivenBalanceNearIntMax_WhenGrantingPastIt_ThenBalanceOverflowIsRejected()
    {
        var limits = new WalletLimits(int.MaxValue);
        var state = GivenWallet(Opened, Granted(int.MaxValue - 1));

        ThenRejected(() => WalletDecisions.Handle(state, Grant(2), limits), ErrorCodes.BalanceOverflow);
        Assert.Equal(1, WalletDecisions.Handle(state, Grant(1), limits).Amount);
    }

    [Fact]
    public void GivenOpenWallet_WhenGrantingARefundForAJob_ThenTypeAndJobIdAreKept()
    {
        var e = WalletDecisions.Handle(GivenWallet(Opened),
            Grant(5) with { Type = GrantTypes.Refund, TypeMetadata = new TypeMetadata(JobId) }, Limits);

        Assert.Equal((GrantTypes.Refund, JobId), (e.Type, e.TypeMetadata!.JobId!.Value));
    }

    [Fact]
    public void GivenBalanceFive_WhenSpendingThree_ThenCreditsSpentRecordsWhoWhenAndWhy()
    {
        var state = GivenWallet(Opened, Granted(5));

        var e = WalletDecisions.Handle(state, Spend(3, " fee "), Limits);

        Assert.Equal(new CreditsSpent(WalletId, 3, SpendTypes.Manual, null, "alice", Now, "fee"), e);
        Assert.Equal(2, state!.Apply(e).Balance);
    }

    [Fact]
    public void GivenBalanceFive_WhenSpendingAllFive_ThenBalanceReachesZero()
    {
        var state = GivenWallet(Opened, Granted(5));

        Assert.Equal(0, state!.Apply(WalletDecisions.Handle(state, Spend(5), Limits)).Balance);
    }

    [Fact]
    public void GivenBalanceThree_WhenSpendingFive_ThenNotEnoughCreditsIsRejected()
    {
        var state = GivenWallet(Opened, Granted(3));

        var error = ThenRejected(() => WalletDecisions.Handle(state, Spend(5), Limits), ErrorCodes.InsufficientCredits);

        Assert.Equal("Not enough credits in wallet: balance 3, requested 5", error.Message);
    }

    [Fact]
    public void GivenGrantsAndSpends_WhenSpendingMoreThanRemains_ThenTheMessageShowsTheCurrentBalance()
    {
        var state = GivenWallet(Opened, Granted(10), Spent(7));

        var error = ThenRejected(() => WalletDecisions.Handle(state, Spend(5), Limits), ErrorCodes.InsufficientCredits);

        Assert.Equal("Not enough credits in wallet: balance 3, requested 5", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void GivenOpenWallet_WhenSpendingLessThanOne_ThenAmountIsRejected(int amount)
    {
        ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened, Granted(5)), Spend(amount), Limits), "amount");
    }

    [Fact]
    public void GivenLargeBalance_WhenSpendingAboveTheCeiling_ThenAmountIsRejected()
    {
        ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened, Granted(1000), Granted(1000)), Spend(1001), Limits), "amount");
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void GivenBalanceFive_WhenSpendingWithoutReason_ThenReasonIsRequired(string? reason)
    {
        ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened, Granted(5)), Spend(1, reason!), Limits), "reason");
    }

    [Fact]
    public void GivenBalanceFive_WhenSpendingWithTooLongReason_ThenReasonIsRejected()
    {
        ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened, Granted(5)), Spend(1, new string('r', Guard.MaxTextLength + 1)), Limits), "reason");
    }

    [Fact]
    public void GivenNeverOpenedWallet_WhenSpending_ThenWalletNotFoundIsRejected()
    {
        ThenRejected(() => WalletDecisions.Handle(GivenWallet(), Spend(1), Limits), ErrorCodes.NotFound);
    }

    [Fact]
    public void GivenOpenWallet_WhenAJobLaunchSpendsCredits_ThenTypeAndJobIdAreKept()
    {
        var e = WalletDecisions.Handle(GivenWallet(Opened, Granted(5)),
            Spend(5) with { Type = SpendTypes.JobLaunch, TypeMetadata = new TypeMetadata(JobId) }, Limits);

        Assert.Equal((SpendTypes.JobLaunch, JobId), (e.Type, e.TypeMetadata!.JobId!.Value));
    }
}
