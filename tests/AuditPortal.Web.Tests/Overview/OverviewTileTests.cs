using AuditPortal.Web.Components.Pages.Overview;
using AuditPortal.Web.Tests.Charts;

namespace AuditPortal.Web.Tests.Overview;

/// <summary>The overview's building blocks: a figure tile and a short list of events, each a link to what lies behind it.</summary>
public class OverviewTileTests : PortalTestContext
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 14, 5, 0, TimeSpan.Zero);

    private static OverviewEvent Event(long sequence, string actor = "alice") =>
        new(sequence, "credits_granted", actor, At.AddMinutes(-sequence), Guid.CreateVersion7(), "wallet", $"{actor} granted {sequence} credits");

    private IRenderedComponent<OverviewEventList> List(params OverviewEvent[] events) =>
        Render<OverviewEventList>(p => p
            .Add(x => x.Name, "my-actions").Add(x => x.Title, "My last actions").Add(x => x.Events, events)
            .Add(x => x.LinkFor, e => $"/wallets/{e.StreamId}").Add(x => x.EmptyText, "Nothing yet."));

    [Fact]
    public void Given_a_figure_When_the_tile_renders_Then_title_value_and_detail_form_one_link_to_the_list_behind_it()
    {
        var cut = Render<OverviewTile>(p => p.Add(x => x.Name, "granted-today").Add(x => x.Title, "Credits granted today")
            .Add(x => x.Value, "1,150").Add(x => x.Detail, "25 grants").Add(x => x.Href, "/wallets"));

        var link = cut.Find("a[data-tile=granted-today]");
        Assert.Equal("/wallets", link.GetAttribute("href"));
        Assert.Equal("Credits granted today", link.QuerySelector(".overview-tile-title")!.TextContent.Trim());
        Assert.Equal("1,150", link.QuerySelector(".overview-tile-value")!.TextContent.Trim());
        Assert.Equal("25 grants", link.QuerySelector(".overview-tile-detail")!.TextContent.Trim());
    }

    [Fact]
    public void Given_no_detail_When_the_tile_renders_Then_only_title_and_value_show()
    {
        var cut = Render<OverviewTile>(p => p.Add(x => x.Name, "wallets-today").Add(x => x.Title, "Wallets changed today")
            .Add(x => x.Value, "0").Add(x => x.Href, "/wallets"));

        Assert.Equal("0", cut.Find(".overview-tile-value").TextContent.Trim());
        Assert.Empty(cut.FindAll(".overview-tile-detail"));
    }

    [Fact]
    public void Given_dark_mode_When_the_tile_renders_Then_it_renders_inside_the_dark_theme()
    {
        var cut = Render<DarkHost>(p => p.AddChildContent<OverviewTile>(t => t.Add(x => x.Name, "projection-health")
            .Add(x => x.Title, "Projection health").Add(x => x.Value, "All up to date").Add(x => x.Href, "/projections")));

        Assert.Equal("/projections", cut.Find("[data-theme=dark] a[data-tile=projection-health]").GetAttribute("href"));
    }

    [Fact]
    public void Given_no_events_When_the_list_renders_Then_it_says_so_and_lists_nothing()
    {
        var cut = List();

        Assert.Equal("Nothing yet.", cut.Find(".overview-list-empty").TextContent.Trim());
        Assert.Empty(cut.FindAll("ul.overview-event-list"));
    }

    [Fact]
    public void Given_one_event_When_the_list_renders_Then_it_links_to_its_page_with_when_and_who()
    {
        var e = Event(7, actor: "");
        var cut = List(e);

        var item = Assert.Single(cut.FindAll("ul.overview-event-list li"));
        Assert.Equal($"/wallets/{e.StreamId}", item.QuerySelector("a.overview-event")!.GetAttribute("href"));
        Assert.Contains("granted 7 credits", item.QuerySelector("a.overview-event")!.TextContent);
        Assert.Contains("2026-11-29 13:58 UTC", item.TextContent);
        Assert.Contains("(no user)", item.TextContent);
    }

    [Fact]
    public void Given_an_event_by_a_user_with_a_display_name_When_the_list_renders_Then_the_name_shows_beside_the_subject()
    {
        var cut = List(Event(3, actor: "ada@idp.example") with { ActorName = "Ada Lovelace" }, Event(4, actor: "sam"));

        var items = cut.FindAll("ul.overview-event-list li");
        Assert.Equal("Ada Lovelace", items[0].QuerySelector(".overview-actor-name b")!.TextContent.Trim());
        Assert.Equal("ada@idp.example", items[0].QuerySelector(".overview-actor-name code")!.TextContent.Trim());
        Assert.Null(items[1].QuerySelector(".overview-actor-name"));
        Assert.Contains("sam", items[1].QuerySelector(".caption, .mud-typography-caption")!.TextContent);
    }

    [Fact]
    public void Given_many_events_When_the_list_renders_Then_each_is_listed_in_the_order_given()
    {
        var events = Enumerable.Range(1, 10).Select(i => Event(i)).ToArray();
        var cut = List(events);

        Assert.Equal(events.Select(e => $"/wallets/{e.StreamId}"), cut.FindAll("a.overview-event").Select(a => a.GetAttribute("href")));
        Assert.Equal("My last actions", cut.Find("ul.overview-event-list").GetAttribute("aria-label"));
    }

    [Fact]
    public void Given_dark_mode_When_the_list_renders_Then_it_renders_inside_the_dark_theme()
    {
        var cut = Render<DarkHost>(p => p.AddChildContent<OverviewEventList>(l => l
            .Add(x => x.Name, "sensitive").Add(x => x.Title, "Sensitive events").Add(x => x.Events, [Event(1), Event(2)])
            .Add(x => x.LinkFor, e => $"/audit/events/{e.Sequence}")));

        Assert.Equal(["/audit/events/1", "/audit/events/2"], cut.FindAll("[data-theme=dark] a.overview-event").Select(a => a.GetAttribute("href")));
    }
}
