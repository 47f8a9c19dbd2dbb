namespace AuditPortal.Core.Tests.Wallets;

public class WalletDecisionsTests
{
    private static readonly Guid WalletId = Guid.Parse("0193a8f1-9113-7000-8000-000000000001");
    private static readonly Guid JobId = Guid.Parse("9348e9b3-43b8-4531-b79c-d70d0cb66ba0");

    private static WalletOpened Opened => new(WalletId, "dana", "alice", Now);
    private static CreditsGranted Granted(int amount) => new(WalletId, amount, GrantTypes.Manual, null, "alice", Now, "goodwill");
    private static CreditsSpent Spent(int amount) => new(WalletId, amount, SpendTypes.Manual, null, "alice", Now, "fee");
    private static GrantCredits Grant(int amount, string reason = "goodwill") => new(WalletId, amount, reason, Guid.NewGuid(), "alice", Now);
    private static SpendCredits Spend(int amount, string reason = "fee") => new(WalletId, amount, reason, Guid.NewGuid(), "alice", Now);

    [Fact]
    public void Given_no_wallet_When_opening_it_Then_wallet_opened_records_owner_who_and_when()
    {
        var e = WalletDecisions.Handle(GivenWallet(), new OpenWallet(WalletId, " dana ", Guid.NewGuid(), "alice", Now));

        Assert.Equal(new WalletOpened(WalletId, "dana", "alice", Now), e);
    }

    [Fact]
    public void Given_no_wallet_When_opening_with_an_empty_id_Then_the_id_is_rejected()
    {
        ThenInvalid(() => WalletDecisions.Handle(null, new OpenWallet(Guid.Empty, "dana", Guid.NewGuid(), "alice", Now)), "walletId");
    }

    [Fact]
    public void Given_open_wallet_When_opening_it_again_Then_wallet_exists_is_rejected()
    {
        var state = GivenWallet(Opened);

        ThenRejected(() => WalletDecisions.Handle(state, new OpenWallet(WalletId, "dana", Guid.NewGuid(), "alice", Now)), ErrorCodes.WalletExists);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void Given_no_wallet_When_opening_without_owner_Then_owner_is_required(string? owner)
    {
        ThenInvalid(() => WalletDecisions.Handle(null, new OpenWallet(WalletId, owner!, Guid.NewGuid(), "alice", Now)), "owner");
    }

    [Fact]
    public void Given_no_wallet_When_opening_with_too_long_owner_Then_owner_is_rejected_not_cut()
    {
        var error = ThenInvalid(() => WalletDecisions.Handle(null, new OpenWallet(WalletId, new string('x', Guard.MaxNameLength + 1), Guid.NewGuid(), "alice", Now)), "owner");

        Assert.Contains("201", error.Message);
    }

    [Fact]
    public void Given_open_wallet_When_granting_five_credits_Then_credits_granted_records_who_when_and_why()
    {
        var state = GivenWallet(Opened);

        var e = WalletDecisions.Handle(state, Grant(5, " goodwill "), Limits);

        Assert.Equal(new CreditsGranted(WalletId, 5, GrantTypes.Manual, null, "alice", Now, "goodwill"), e);
    }

    [Fact]
    public void Given_open_wallet_When_granting_exactly_the_ceiling_Then_it_is_accepted()
    {
        var e = WalletDecisions.Handle(GivenWallet(Opened), Grant(1000), Limits);

        Assert.Equal(1000, e.Amount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Given_open_wallet_When_granting_less_than_one_Then_amount_is_rejected(int amount)
    {
        var error = ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened), Grant(amount), Limits), "amount");

        Assert.Contains("at least 1", error.Message);
    }

    [Fact]
    public void Given_open_wallet_When_granting_above_the_ceiling_Then_amount_is_rejected()
    {
        var error = ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened), Grant(1001), Limits), "amount");

        Assert.Contains("limit of 1,000", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \t ")]
    [InlineData(null)]
    public void Given_open_wallet_When_granting_without_reason_Then_reason_is_required(string? reason)
    {
        var error = ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened), Grant(5, reason!), Limits), "reason");

        Assert.Equal("A reason is required.", error.Message);
    }

    [Fact]
    public void Given_open_wallet_When_granting_with_too_long_reason_Then_reason_is_rejected()
    {
        ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened), Grant(5, new string('r', Guard.MaxTextLength + 1)), Limits), "reason");
    }

    [Fact]
    public void Given_open_wallet_When_granting_reason_of_exactly_the_maximum_Then_it_is_kept()
    {
        var reason = new string('r', Guard.MaxTextLength);

        Assert.Equal(reason, WalletDecisions.Handle(GivenWallet(Opened), Grant(5, reason), Limits).Reason);
    }

    [Fact]
    public void Given_never_opened_wallet_When_granting_Then_wallet_not_found_is_rejected()
    {
        ThenRejected(() => WalletDecisions.Handle(GivenWallet(), Grant(5), Limits), ErrorCodes.NotFound);
    }

    [Fact]
    public void Given_balance_near_int_max_When_granting_past_it_Then_balance_overflow_is_rejected()
    {
        var limits = new WalletLimits(int.MaxValue);
        var state = GivenWallet(Opened, Granted(int.MaxValue - 1));

        ThenRejected(() => WalletDecisions.Handle(state, Grant(2), limits), ErrorCodes.BalanceOverflow);
        Assert.Equal(1, WalletDecisions.Handle(state, Grant(1), limits).Amount);
    }

    [Fact]
    public void Given_open_wallet_When_granting_a_refund_for_a_job_Then_type_and_job_id_are_kept()
    {
        var e = WalletDecisions.Handle(GivenWallet(Opened),
            Grant(5) with { Type = GrantTypes.Refund, TypeMetadata = new TypeMetadata(JobId) }, Limits);

        Assert.Equal((GrantTypes.Refund, JobId), (e.Type, e.TypeMetadata!.JobId!.Value));
    }

    [Fact]
    public void Given_balance_five_When_spending_three_Then_credits_spent_records_who_when_and_why()
    {
        var state = GivenWallet(Opened, Granted(5));

        var e = WalletDecisions.Handle(state, Spend(3, " fee "), Limits);

        Assert.Equal(new CreditsSpent(WalletId, 3, SpendTypes.Manual, null, "alice", Now, "fee"), e);
        Assert.Equal(2, state!.Apply(e).Balance);
    }

    [Fact]
    public void Given_balance_five_When_spending_all_five_Then_balance_reaches_zero()
    {
        var state = GivenWallet(Opened, Granted(5));

        Assert.Equal(0, state!.Apply(WalletDecisions.Handle(state, Spend(5), Limits)).Balance);
    }

    [Fact]
    public void Given_balance_three_When_spending_five_Then_not_enough_credits_is_rejected()
    {
        var state = GivenWallet(Opened, Granted(3));

        var error = ThenRejected(() => WalletDecisions.Handle(state, Spend(5), Limits), ErrorCodes.InsufficientCredits);

        Assert.Equal("Not enough credits in wallet: balance 3, requested 5", error.Message);
    }

    [Fact]
    public void Given_grants_and_spends_When_spending_more_than_remains_Then_the_message_shows_the_current_balance()
    {
        var state = GivenWallet(Opened, Granted(10), Spent(7));

        var error = ThenRejected(() => WalletDecisions.Handle(state, Spend(5), Limits), ErrorCodes.InsufficientCredits);

        Assert.Equal("Not enough credits in wallet: balance 3, requested 5", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Given_open_wallet_When_spending_less_than_one_Then_amount_is_rejected(int amount)
    {
        ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened, Granted(5)), Spend(amount), Limits), "amount");
    }

    [Fact]
    public void Given_large_balance_When_spending_above_the_ceiling_Then_amount_is_rejected()
    {
        ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened, Granted(1000), Granted(1000)), Spend(1001), Limits), "amount");
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void Given_balance_five_When_spending_without_reason_Then_reason_is_required(string? reason)
    {
        ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened, Granted(5)), Spend(1, reason!), Limits), "reason");
    }

    [Fact]
    public void Given_balance_five_When_spending_with_too_long_reason_Then_reason_is_rejected()
    {
        ThenInvalid(() => WalletDecisions.Handle(GivenWallet(Opened, Granted(5)), Spend(1, new string('r', Guard.MaxTextLength + 1)), Limits), "reason");
    }

    [Fact]
    public void Given_never_opened_wallet_When_spending_Then_wallet_not_found_is_rejected()
    {
        ThenRejected(() => WalletDecisions.Handle(GivenWallet(), Spend(1), Limits), ErrorCodes.NotFound);
    }

    [Fact]
    public void Given_open_wallet_When_a_job_launch_spends_credits_Then_type_and_job_id_are_kept()
    {
        var e = WalletDecisions.Handle(GivenWallet(Opened, Granted(5)),
            Spend(5) with { Type = SpendTypes.JobLaunch, TypeMetadata = new TypeMetadata(JobId) }, Limits);

        Assert.Equal((SpendTypes.JobLaunch, JobId), (e.Type, e.TypeMetadata!.JobId!.Value));
    }
}
