namespace AuditPortal.Web.Tests.Wallets;

public class WalletListTests : PageTestContext
{
    /// <summary>The list page over these wallets, once it shows them all.</summary>
    private IRenderedComponent<WalletList> RenderListOf(params (string Owner, int Balance)[] wallets)
    {
        foreach (var (owner, balance) in wallets) WalletReads.Add(owner, balance);
        RenderProviders();
        var cut = Render<WalletList>();
        cut.WaitForAssertion(() => Assert.Equal(wallets.Length, cut.FindAll(".wallet-link").Count));
        return cut;
    }

    [Fact]
    public void Given_wallets_When_the_list_opens_Then_a_page_is_shown_with_links_to_each_wallet()
    {
        var ann = WalletReads.Add("ann", 5);
        WalletReads.Add("bob", 7);
        RenderProviders();

        var cut = Render<WalletList>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".wallet-link").Count));
        Assert.Equal($"/wallets/{ann.Id}", cut.FindAll(".wallet-link")[0].GetAttribute("href"));
        var query = WalletReads.ListQueries.Last();
        Assert.Equal((0, 25), (query.Page, query.PageSize));
    }

    [Fact]
    public void Given_more_wallets_than_are_counted_exactly_When_the_list_opens_Then_the_total_is_marked_as_an_estimate()
    {
        WalletReads.Add("ann", 5);
        RenderProviders();

        var cut = Render<WalletList>();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".wallet-link")));
        Assert.Empty(cut.FindAll("#wallet-total-estimate"));

        WalletReads.EstimatedTotal = 123_456;
        cut.Find("#wallet-owner-filter").Input("an");

        cut.WaitForAssertion(() => Assert.Contains("About 123,456 wallets match (estimated", cut.Find("#wallet-total-estimate").TextContent), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Given_an_owner_filter_When_typed_Then_the_server_is_asked_for_matching_wallets_only()
    {
        var cut = RenderListOf(("ann", 5), ("bob", 7));

        cut.Find("#wallet-owner-filter").Input("bo");

        cut.WaitForAssertion(() => Assert.Equal("bo", WalletReads.ListQueries.Last().OwnerContains), TimeSpan.FromSeconds(5));
        cut.WaitForAssertion(() => Assert.Equal(["bob"], cut.FindAll(".wallet-link").Select(a => a.TextContent)), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Given_a_balance_range_When_entered_Then_the_server_filters_by_it()
    {
        var cut = RenderListOf(("ann", 5), ("bob", 70));

        cut.Find("#wallet-min-balance").Change("10");

        cut.WaitForAssertion(() => Assert.Equal(["bob"], cut.FindAll(".wallet-link").Select(a => a.TextContent)));
        Assert.Equal(10, WalletReads.ListQueries.Last().MinBalance);
    }

    [Fact]
    public void Given_a_column_header_When_clicked_Then_the_server_is_asked_to_sort_by_it()
    {
        var cut = RenderListOf(("ann", 5));

        SortBy(cut, "Balance");

        cut.WaitForAssertion(() => Assert.Equal("Balance", WalletReads.ListQueries.Last().SortBy));
    }

    [Fact]
    public void Given_an_open_list_When_a_wallet_changes_Then_the_list_reloads_without_navigation()
    {
        var cut = RenderListOf(("ann", 5));

        WalletReads.Add("<img src=x onerror=alert(1)>", 9);
        _ = Changes.PublishAsync(new ReadModelChange(12, new HashSet<Guid> { Guid.NewGuid() }, new HashSet<Guid>()));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".wallet-link").Count));
        Assert.Equal("<img src=x onerror=alert(1)>", cut.FindAll(".wallet-link")[1].TextContent);
        Assert.Empty(cut.FindAll("#wallet-grid img"));
    }

    [Fact]
    public void Given_a_read_model_far_behind_When_the_list_opens_Then_the_banner_says_so()
    {
        Assert.Contains("4,000 recent events", BannerWhenBehind<WalletList>(new ReadModelLag(HighWaterMark: 5000, SlowestSequence: 1000)));
    }

    // The address: an overview tile opens the list filtered; a filtered list can be bookmarked.

    [Fact]
    public void Given_an_address_with_a_day_and_a_sort_When_the_list_opens_Then_the_server_is_asked_for_wallets_changed_since_that_day_latest_first()
    {
        var old = WalletReads.Add("old", 5);
        old.LastChangedAt = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
        var recent = WalletReads.Add("recent", 7);
        recent.LastChangedAt = new DateTimeOffset(2026, 11, 30, 9, 30, 0, TimeSpan.Zero);
        RenderProviders();
        Services.GetRequiredService<NavigationManager>().NavigateTo(WalletListAddress.ChangedSince(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero)));

        var cut = Render<WalletList>();

        cut.WaitForAssertion(() => Assert.Equal(["recent"], cut.FindAll(".wallet-link").Select(a => a.TextContent)));
        var query = WalletReads.ListQueries.Last();
        Assert.Equal((new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), "LastChangedAt", true), (query.ChangedSince, query.SortBy, query.Descending));
        Assert.Equal("2026-11-30", cut.Find("#wallet-changed-since").GetAttribute("value"));
        Assert.Empty(cut.FindAll("#wallet-address-error"));
    }

    [Fact]
    public void Given_an_address_whose_day_is_not_a_day_When_the_list_opens_Then_it_says_so_and_lists_without_that_filter()
    {
        RenderProviders();
        Services.GetRequiredService<NavigationManager>().NavigateTo("/wallets?changedSince=yesterday&owner=an");
        WalletReads.Add("ann", 5);

        var cut = Render<WalletList>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".wallet-link")));
        Assert.Contains("\"yesterday\" in the address is not a day", cut.Find("#wallet-address-error").TextContent);
        Assert.Equal((null, "an"), (WalletReads.ListQueries.Last().ChangedSince, WalletReads.ListQueries.Last().OwnerContains));
    }

    [Fact]
    public void Given_the_list_When_an_owner_is_typed_and_a_column_sorted_Then_the_address_carries_both_and_the_typed_text_stays()
    {
        var cut = RenderListOf(("ann", 5), ("bob", 7));

        AssertAddressFollowsFilterThenSort(cut, "#wallet-owner-filter", "bo", "/wallets?owner=bo", "Balance");

        Assert.Equal(["bob"], cut.FindAll(".wallet-link").Select(a => a.TextContent));
    }

    [Fact]
    public void Given_a_filtered_list_When_the_address_changes_to_the_plain_list_Then_the_filters_clear()
    {
        var cut = RenderListOf(("ann", 5), ("bob", 7));
        var nav = Services.GetRequiredService<NavigationManager>();
        cut.Find("#wallet-owner-filter").Input("bo");
        cut.WaitForAssertion(() => Assert.Equal(["bob"], cut.FindAll(".wallet-link").Select(a => a.TextContent)), TimeSpan.FromSeconds(5));

        // As the menu's "Wallets" link does.
        cut.InvokeAsync(() => nav.NavigateTo("/wallets"));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".wallet-link").Count));
        Assert.Null(WalletReads.ListQueries.Last().OwnerContains);
    }
}
