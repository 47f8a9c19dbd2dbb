using AuditPortal.Web.Tests.AccessControl;
using AuditPortal.Web.Tests.Audit;

namespace AuditPortal.Web.Tests.Preferences;

/// <summary>Times in the zone the reader chose, with UTC on hover or beside; no choice: UTC exactly as before.</summary>
public class ReaderZoneTests : AuditReadsTestContext
{
    private static readonly ReaderZone Paris = ReaderZone.For("Europe/Paris");

    protected override void AddServices()
    {
        base.AddServices();
        Services.AddSingleton<IAccessControlReads>(new FakeAccessControlReads());
        var auth = AddAuthorization();
        auth.SetAuthorized("carol");
        auth.SetPolicies(AuditPortal.Web.Infrastructure.Auth.Policies.ViewAccessControl);
    }

    private IRenderedComponent<CascadingValue<ReaderZone>> RenderIn<T>(ReaderZone zone, string uri) where T : IComponent
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
        return Render<CascadingValue<ReaderZone>>(p => p.Add(x => x.Value, zone).AddChildContent<T>());
    }

    [Fact]
    public void Given_a_reader_in_Paris_When_the_explorer_shows_events_Then_each_time_is_in_Paris_with_UTC_on_hover_and_the_header_names_the_zone()
    {
        var cut = RenderIn<AuditExplorer>(Paris, "/audit");

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("tr.audit-row")));
        Assert.Contains("Time (Europe/Paris)", cut.Find("#audit-feed thead").TextContent);
        foreach (var cell in cut.FindAll("tr.audit-row .audit-time .local-time"))
        {
            var utc = DateTimeOffset.Parse(cell.GetAttribute("data-utc")!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(TimeZoneInfo.ConvertTime(utc, Paris.Zone).ToString(DisplayTime.Format, System.Globalization.CultureInfo.InvariantCulture), cell.TextContent);
            Assert.Equal(DisplayTime.Utc(utc) + " UTC", cell.GetAttribute("title"));
        }
        Assert.Equal(cut.FindAll("tr.audit-row").Count, cut.FindAll("tr.audit-row .audit-time .local-time").Count);
    }

    [Fact]
    public void Given_a_reader_without_a_zone_When_the_explorer_shows_events_Then_times_are_the_bare_UTC_text_as_before()
    {
        var cut = RenderIn<AuditExplorer>(ReaderZone.Utc, "/audit");

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("tr.audit-row")));
        Assert.Contains("Time (UTC)", cut.Find("#audit-feed thead").TextContent);
        Assert.Empty(cut.FindAll(".local-time"));
        Assert.All(cut.FindAll("tr.audit-row .audit-time"), c => Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", c.TextContent));
    }

    [Fact]
    public void Given_a_reader_in_Paris_When_the_access_control_lists_open_Then_a_change_at_10_UTC_in_November_reads_11_in_Paris()
    {
        var cut = RenderIn<AccessControlListsPage>(Paris, "/access-control");

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr.acl-row").Count));
        Assert.Contains("Last change (Europe/Paris)", cut.Find("#acl-list thead").TextContent);
        var time = cut.FindAll("tr.acl-row")[0].QuerySelector(".local-time")!;
        Assert.Equal(("2026-11-26 11:00:00", "2026-11-26 10:00:00 UTC"), (time.TextContent, time.GetAttribute("title")));
    }

    [Fact]
    public void Given_a_moment_When_labelled_for_a_reader_Then_UTC_stands_beside_the_local_time_and_the_zone_can_move_the_day()
    {
        var evening = new DateTimeOffset(2026, 7, 1, 23, 30, 0, TimeSpan.Zero);

        Assert.Equal("2026-07-01 23:30:00 UTC", DisplayTime.Labelled(evening, null));
        Assert.Equal("2026-07-01 23:30:00 UTC", DisplayTime.Labelled(evening, ReaderZone.Utc));
        // Summer time in Paris: +02:00, so the next day there; UTC beside it in full.
        Assert.Equal("2026-07-02 01:30:00 Europe/Paris (2026-07-01 23:30:00 UTC)", DisplayTime.Labelled(evening, Paris));
        Assert.Equal("2026-07-01 19:30:00 America/New_York (23:30:00 UTC)", DisplayTime.Labelled(evening, ReaderZone.For("America/New_York")));
        // A zone the server no longer knows reads as UTC rather than breaking the page.
        Assert.True(ReaderZone.IsUtc(ReaderZone.For("Atlantis/Capital")));
    }
}
