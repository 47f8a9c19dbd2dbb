namespace AuditPortal.Web.Tests.Projections;

public class NewReadModelVersionBannerTests : PageTestContext
{
    [Fact]
    public void Given_a_new_version_being_built_When_the_list_is_open_Then_the_banner_shows_its_progress_and_then_the_time_left()
    {
        Lag.Current = new ReadModelLag(HighWaterMark: 10_000, SlowestSequence: 4_500, NewVersion: true);
        var cut = Render<ReadModelBanner>(p => p
            .Add(x => x.Projections, ReadModelLagProbe.WalletProjections)
            .Add(x => x.PollInterval, TimeSpan.FromMilliseconds(50)));

        Assert.Contains("A new version of this list is being built: 45 %, estimating the time left", cut.Find("#read-model-banner").TextContent);

        Lag.Current = new ReadModelLag(HighWaterMark: 10_000, SlowestSequence: 6_000, NewVersion: true);
        cut.WaitForAssertion(() => Assert.Matches(@"being built: 60 %, about \d+ s left", cut.Find("#read-model-banner").TextContent));

        Lag.Current = new ReadModelLag(HighWaterMark: 10_000, SlowestSequence: 10_000);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#read-model-banner")));
    }

    [Fact]
    public void Given_the_previous_version_answering_When_the_wallet_list_opens_Then_the_banner_says_so_and_a_field_it_did_not_record_shows_a_dash()
    {
        var ann = WalletReads.Add("ann", 5);
        ann.TotalGranted = 0;
        // The previous version called TotalGranted something else: its rows carry no value for it.
        WalletReads.Previous = new PreviousVersion(new HashSet<string> { nameof(WalletSummary.TotalGranted) });
        Lag.Current = new ReadModelLag(HighWaterMark: 10_000, SlowestSequence: 4_500, NewVersion: true);
        RenderProviders();

        var cut = Render<WalletList>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".wallet-link")));
        var banner = cut.Find("#read-model-banner").TextContent;
        Assert.Contains("A new version of this list is being built: 45 %", banner);
        Assert.Contains("you see the previous version, as it was when the upgrade began", banner);
        var cells = cut.FindAll("#wallet-grid tbody tr")[0].QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal(["ann", "5", "0", "—", "0"], cells.Take(5));
        Assert.Empty(cut.FindAll("#wallet-filter-previous"));
    }

    [Fact]
    public void Given_the_previous_version_without_balances_When_filtering_by_balance_Then_the_list_says_the_filter_waits_for_the_new_version()
    {
        WalletReads.Add("ann", 5);
        WalletReads.Previous = new PreviousVersion(new HashSet<string> { nameof(WalletSummary.Balance) });
        Lag.Current = new ReadModelLag(HighWaterMark: 10_000, SlowestSequence: 0, NewVersion: true);
        RenderProviders();
        var cut = Render<WalletList>();
        cut.WaitForAssertion(() => Assert.Equal("—", cut.Find(".wallet-balance-cell").TextContent.Trim()));

        cut.Find("#wallet-min-balance").Change("3");

        cut.WaitForAssertion(() => Assert.Contains("did not record balances: this filter matches nothing until the new version is built",
            cut.Find("#wallet-filter-previous").TextContent));
    }

    [Fact]
    public void Given_the_new_version_caught_up_but_not_yet_switched_When_the_list_is_open_Then_the_banner_still_names_the_previous_version()
    {
        Lag.Current = new ReadModelLag(HighWaterMark: 10_000, SlowestSequence: 10_000, NewVersion: true);

        var cut = Render<ReadModelBanner>(p => p.Add(x => x.Projections, ReadModelLagProbe.WalletProjections));

        Assert.Contains("being built: 100 %, switching to it. Until then you see the previous version", cut.Find("#read-model-banner").TextContent);
    }
}
