namespace AuditPortal.Web.Tests.Audit;

public class AuditExplorerTests : AuditReadsTestContext
{
    /// <summary>The explorer filtered to sam, once it shows sam's one event.</summary>
    private IRenderedComponent<AuditExplorer> RenderSamsEvent()
    {
        var cut = RenderAt<AuditExplorer>("/audit?actor=sam");
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tr.audit-row")));
        return cut;
    }

    /// <summary>The CSV and the JSON export links both ask for this query.</summary>
    private static void AssertExportsAsk(IRenderedComponent<AuditExplorer> cut, string query)
    {
        Assert.Equal($"/audit/export.csv?{query}", cut.Find("a#export-csv").GetAttribute("href"));
        Assert.Equal($"/audit/export.json?{query}", cut.Find("a#export-json").GetAttribute("href"));
    }

    [Fact]
    public void Given_no_filter_When_opened_Then_all_events_show_newest_first()
    {
        var cut = RenderAt<AuditExplorer>("/audit");

        cut.WaitForAssertion(() => Assert.Equal(["4", "3", "2", "1"], cut.FindAll("tr.audit-row").Select(r => r.GetAttribute("data-seq"))));
        Assert.Equal(AuditFilter.None, Reader.Queries.Single().Filter);
    }

    [Fact]
    public void Given_an_actor_in_the_address_When_opened_Then_the_feed_and_the_exports_are_filtered_by_it()
    {
        var cut = RenderAt<AuditExplorer>("/audit?actor=sam");

        cut.WaitForAssertion(() => Assert.Equal("sam", Assert.Single(cut.FindAll("tr.audit-row")).GetAttribute("data-actor")));
        Assert.Equal("sam", Reader.Queries.Single().Filter.Actor);
        Assert.Equal("sam", cut.Find("#filter-actor").GetAttribute("value"));
        AssertExportsAsk(cut, "actor=sam");
    }

    [Fact]
    public void Given_a_filter_When_evidence_is_ticked_Then_both_export_links_ask_for_evidence_with_the_filter()
    {
        var cut = RenderSamsEvent();

        cut.Find("input#export-evidence").Change(true);

        AssertExportsAsk(cut, "actor=sam&evidence=true");
    }

    [Fact]
    public void Given_hostile_text_in_a_summary_and_a_payload_When_the_explorer_shows_them_Then_they_are_literal()
    {
        var cut = RenderSamsEvent();

        cut.Find("tr.audit-row .audit-expand").Click();

        cut.WaitForAssertion(() => Assert.Contains(FakeAuditReads.Hostile, cut.Find(".audit-payload").TextContent));
        Assert.Contains(FakeAuditReads.Hostile, cut.Find("tr.audit-row .audit-summary").TextContent);
        Assert.Empty(cut.FindAll("script"));
        Assert.Contains("&lt;script&gt;", cut.Markup);
        Assert.Contains("corr-3", cut.Find(".audit-metadata").TextContent);
    }

    [Fact]
    public void Given_an_events_details_When_following_its_correlation_id_Then_the_explorer_shows_that_operation_and_exports_it()
    {
        var cut = RenderSamsEvent();
        cut.Find("tr.audit-row .audit-expand").Click();

        // A request, its decision and its change share the request's correlation: the details link to all of them.
        var link = cut.WaitForElement("a.audit-operation");
        Assert.Equal("/audit?correlation=corr-3", link.GetAttribute("href"));
        var operation = RenderAt<AuditExplorer>(link.GetAttribute("href")!);

        operation.WaitForAssertion(() => Assert.Equal("corr-3", Reader.Queries[^1].Filter.Correlation));
        Assert.Equal("corr-3", operation.Find("#filter-correlation").GetAttribute("value"));
        Assert.Equal("/audit/export.csv?correlation=corr-3", operation.Find("a#export-csv").GetAttribute("href"));
    }

    [Fact]
    public void Given_a_page_of_rows_When_loading_more_Then_the_rows_before_the_last_one_shown_are_asked_for()
    {
        for (var i = 5; i <= 60; i++)
            Reader.Add(i, "wallet", FakeAuditReads.WalletId, i, "credits_granted", "alice", DateTimeOffset.UtcNow, $"row {i}");
        var cut = RenderAt<AuditExplorer>("/audit");
        cut.WaitForAssertion(() => Assert.Equal(50, cut.FindAll("tr.audit-row").Count));

        cut.Find("#audit-load-more").Click();

        cut.WaitForAssertion(() => Assert.Equal(60, cut.FindAll("tr.audit-row").Count));
        Assert.Equal(11L, Reader.Queries[^1].Before);
        Assert.Empty(cut.FindAll("#audit-load-more"));
    }

    [Fact]
    public void Given_an_actor_known_by_a_display_name_When_the_feed_shows_their_events_Then_the_name_shows_beside_the_stable_subject()
    {
        Reader.DisplayNames["sam"] = "Sam Okafor";

        var cut = RenderAt<AuditExplorer>("/audit");

        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll("tr.audit-row").Count));
        var sams = cut.Find("tr.audit-row[data-actor='sam'] .audit-actor");
        Assert.Equal("Sam Okafor", sams.QuerySelector(".audit-actor-name")!.TextContent);
        Assert.Contains("(sam)", sams.TextContent);
        // Others without a known name show the subject alone; the filter and the row still key on the subject.
        Assert.Null(cut.Find("tr.audit-row[data-actor='alice'] .audit-actor").QuerySelector(".audit-actor-name"));
    }

    [Fact]
    public void Given_filters_When_applied_Then_they_are_put_into_the_address()
    {
        var cut = RenderAt<AuditExplorer>("/audit");
        TypeInto(cut, ("#filter-actor", "alice"), ("#filter-text", "goodwill"));

        cut.Find("#filter-apply").Click();

        var uri = Services.GetRequiredService<NavigationManager>().Uri;
        Assert.EndsWith("/audit?actor=alice&text=goodwill", uri);
        cut.WaitForAssertion(() => Assert.Equal(("alice", "goodwill"), (Reader.Queries[^1].Filter.Actor, Reader.Queries[^1].Filter.Text)));
    }

    [Fact]
    public void Given_a_malformed_stream_id_When_applied_Then_a_clear_error_shows_and_no_query_runs()
    {
        var cut = RenderAt<AuditExplorer>("/audit?streamId=not-a-guid");

        Assert.Contains("\"not-a-guid\" is not a stream id", cut.Find("#audit-error").TextContent);
        Assert.Empty(Reader.Queries);
    }

    [Fact]
    public void Given_a_bad_time_typed_into_the_filter_When_applied_Then_it_is_refused_and_kept()
    {
        var cut = RenderAt<AuditExplorer>("/audit");
        cut.Find("#filter-from").Change("2026-11-26T10:00");
        cut.Find("#filter-to").Change("2026-11-26T09:00");

        cut.Find("#filter-apply").Click();

        Assert.Contains("must be after", cut.Find("#audit-filter-error").TextContent);
        Assert.EndsWith("/audit", Services.GetRequiredService<NavigationManager>().Uri);
        Assert.Equal("2026-11-26T10:00", cut.Find("#filter-from").GetAttribute("value"));
    }
}
