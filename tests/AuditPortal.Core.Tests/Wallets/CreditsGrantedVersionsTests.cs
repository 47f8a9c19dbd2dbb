namespace AuditPortal.Core.Tests.Wallets;

/// <summary>The grant's source (v2) and the reading of v1 grants, stored before it existed, as v2.</summary>
public class CreditsGrantedVersionsTests
{
    private static readonly Guid WalletId = Guid.Parse("0193a8f1-9113-7000-8000-000000000002");
    private static readonly Guid JobId = Guid.Parse("0193a8f1-9113-7000-8000-0000000000aa");
    private static WalletOpened Opened => new(WalletId, "dana", "alice", Now);

    private static GrantCredits Grant(GrantSource source = GrantSource.Manual, string type = GrantTypes.Manual) =>
        new(WalletId, 5, "goodwill", Guid.NewGuid(), "alice", Now, Type: type, Source: source);

    [Fact]
    public void Given_open_wallet_When_granting_without_a_source_Then_the_grant_is_manual()
    {
        var e = WalletDecisions.Handle(GivenWallet(Opened), new GrantCredits(WalletId, 5, "goodwill", Guid.NewGuid(), "alice", Now), Limits);

        Assert.Equal(GrantSource.Manual, e.Source);
    }

    [Theory]
    [InlineData(GrantSource.Campaign)]
    [InlineData(GrantSource.Approval)]
    [InlineData(GrantSource.Refund)]
    public void Given_open_wallet_When_granting_with_a_source_Then_the_grant_records_it(GrantSource source)
    {
        Assert.Equal(source, WalletDecisions.Handle(GivenWallet(Opened), Grant(source), Limits).Source);
    }

    [Fact]
    public void Given_a_refund_When_the_caller_names_another_source_Then_the_grant_says_refund()
    {
        var e = WalletDecisions.Handle(GivenWallet(Opened), Grant(GrantSource.Campaign, GrantTypes.Refund), Limits);

        Assert.Equal(GrantSource.Refund, e.Source);
    }

    [Theory]
    [InlineData(GrantTypes.Manual, GrantSource.Manual)]
    [InlineData(GrantTypes.Refund, GrantSource.Refund)]
    [InlineData("anything else", GrantSource.Manual)]
    public void Given_a_v1_grant_When_upcast_Then_its_source_comes_from_its_type(string type, GrantSource expected)
    {
        var v1 = new CreditsGrantedV1(WalletId, 7, type, new TypeMetadata(JobId), "sam", Now, "why");

        var v2 = Assert.IsType<CreditsGranted>(Assert.Single(EventUpcast.All, u => u.OldType == typeof(CreditsGrantedV1)).Upcast(v1));

        Assert.Equal(new CreditsGranted(WalletId, 7, type, new TypeMetadata(JobId), "sam", Now, "why", expected), v2);
    }

    [Fact]
    public void Given_a_history_of_v1_grants_When_folded_after_the_upcast_Then_the_wallet_is_the_one_of_the_same_v2_history()
    {
        var v2 = new object[]
        {
            Opened,
            new CreditsGranted(WalletId, 10, GrantTypes.Manual, null, "alice", Now.AddMinutes(1), "a"),
            new CreditsSpent(WalletId, 4, SpendTypes.Manual, null, "alice", Now.AddMinutes(2), "b"),
            new CreditsGranted(WalletId, 3, GrantTypes.Refund, new TypeMetadata(JobId), "sam", Now.AddMinutes(3), "c", GrantSource.Refund),
        };
        var v1 = v2.Select(e => e is CreditsGranted g ? CreditsGrantedV1.Of(g).Upcast() : e).ToList();

        Assert.Equal(v2, v1);
        Assert.Equal(WalletHistory.Replay(v2), WalletHistory.Replay(v1));
        Assert.Equal(new Wallet(WalletId, "dana", 9, Now.AddMinutes(3)), WalletHistory.Replay(v1));
    }

    [Fact]
    public void Given_the_stored_names_When_asked_for_their_version_Then_v1_keeps_the_old_name_and_v2_has_its_own()
    {
        Assert.Equal(["credits_granted", "credits_granted_v2"], AuditTypeNames.Stored(AuditTypeNames.CreditsGranted));
        Assert.Equal((AuditTypeNames.CreditsGranted, 1), (AuditTypeNames.Logical("credits_granted"), AuditTypeNames.VersionOf("credits_granted")));
        Assert.Equal((AuditTypeNames.CreditsGranted, 2), (AuditTypeNames.Logical("credits_granted_v2"), AuditTypeNames.VersionOf("credits_granted_v2")));
        Assert.Equal((AuditTypeNames.CreditsSpent, 1), (AuditTypeNames.Logical("credits_spent"), AuditTypeNames.VersionOf("credits_spent")));
        Assert.Equal(AuditTypeNames.CreditsGranted, AuditTypeNames.EventOf("credits_granted_v2"));
    }
}
