namespace AuditPortal.Web.Tests.Audit;

public class StreamTimelineTests : AuditReadsTestContext
{
    [Fact]
    public void Given_a_stream_When_its_timeline_renders_Then_each_event_shows_who_what_and_a_permalink()
    {
        var cut = Render<StreamTimeline>(p => p.Add(x => x.StreamId, FakeAuditReads.WalletId));

        cut.WaitForAssertion(() => Assert.Equal(["3", "2", "1"], cut.FindAll(".timeline-event").Select(e => e.GetAttribute("data-seq"))));
        Assert.Equal(FakeAuditReads.WalletId, Reader.Queries.Single().Filter.StreamId);
        Assert.Equal("/audit/events/3", cut.FindAll(".timeline-permalink")[0].GetAttribute("href"));
        Assert.Contains("by sam", cut.FindAll(".timeline-event")[0].TextContent);
        Assert.Contains(FakeAuditReads.Hostile, cut.FindAll(".timeline-summary")[0].TextContent);
        Assert.Empty(cut.FindAll("script"));
    }

    [Fact]
    public void Given_an_actor_known_by_a_display_name_When_the_timeline_renders_Then_the_name_shows_beside_the_subject()
    {
        Reader.DisplayNames["sam"] = "Sam Okafor";

        var cut = Render<StreamTimeline>(p => p.Add(x => x.StreamId, FakeAuditReads.WalletId));

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll(".timeline-event").Count));
        Assert.Equal(["Sam Okafor (sam)", "alice", "alice"], cut.FindAll(".timeline-actor").Select(a => a.TextContent));
    }

    [Fact]
    public void Given_a_timeline_event_When_state_as_of_here_is_asked_Then_the_folded_state_and_the_before_after_diff_show()
    {
        var cut = Render<StreamTimeline>(p => p.Add(x => x.StreamId, FakeAuditReads.WalletId));
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll(".timeline-event").Count));

        cut.FindAll(".timeline-toggle-state")[1].Click();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".audit-diff")));
        Assert.Equal((FakeAuditReads.WalletId, 2L), Reader.StateRequests.Single());
        var rows = cut.FindAll(".audit-diff tbody tr");
        Assert.Equal(["balance", "1", "2"], rows[0].QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        Assert.Equal(FakeAuditReads.Hostile, rows[1].QuerySelector(".audit-after")!.TextContent.Trim());
        Assert.Contains(FakeAuditReads.Hostile, cut.Find(".audit-state-json").TextContent);
        Assert.Empty(cut.FindAll("script"));
    }

    [Fact]
    public void Given_a_timeline_event_When_details_expand_Then_the_payload_shows_as_formatted_text()
    {
        var cut = Render<StreamTimeline>(p => p.Add(x => x.StreamId, FakeAuditReads.WalletId));
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll(".timeline-event").Count));

        cut.FindAll(".timeline-toggle-details")[0].Click();

        cut.WaitForAssertion(() => Assert.Contains("\"reason\"", cut.Find(".audit-payload").TextContent));
        Assert.Contains("\"source\": \"test\"", cut.Find(".audit-headers").TextContent);
    }

    [Fact]
    public void Given_a_long_stream_When_older_events_are_requested_Then_they_load()
    {
        for (var v = 4; v <= 30; v++)
            Reader.Add(100 + v, "wallet", FakeAuditReads.WalletId, v, "credits_spent", "alice", DateTimeOffset.UtcNow, $"spend {v}");
        var cut = Render<StreamTimeline>(p => p.Add(x => x.StreamId, FakeAuditReads.WalletId).Add(x => x.PageSize, 25));
        cut.WaitForAssertion(() => Assert.Equal(25, cut.FindAll(".timeline-event").Count));

        cut.Find(".timeline-load-more").Click();

        cut.WaitForAssertion(() => Assert.Equal(30, cut.FindAll(".timeline-event").Count));
    }

    [Fact]
    public void Given_a_stream_without_events_When_its_timeline_renders_Then_it_says_so()
    {
        var cut = Render<StreamTimeline>(p => p.Add(x => x.StreamId, Guid.NewGuid()));

        cut.WaitForAssertion(() => Assert.Contains("no events", cut.Find(".timeline-empty").TextContent));
    }
}
