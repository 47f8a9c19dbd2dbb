using AuditPortal.Core.Preferences;
using AuditPortal.Web.Components.Pages.Preferences;

namespace AuditPortal.Web.Tests.Preferences;

public class PreferencesPageTests : PortalTestContext
{
    protected override void AddServices()
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("admin");
        Services.AddSingleton(TimeProvider.System);
    }

    private Task SaveAsync(string user, string name, string address) =>
        Preferences.SaveSearchAsync(new Actor(user, "c"), Guid.CreateVersion7(), Guid.CreateVersion7(), name, address);

    [Fact]
    public async Task Given_searches_saved_by_two_users_When_one_opens_the_page_Then_only_their_own_show_and_a_delete_removes_one()
    {
        await SaveAsync("admin", "Denials", "/audit?eventType=command_denied");
        await SaveAsync("admin", "Open jobs", "/jobs?status=Open");
        await SaveAsync("bob", "Bob's secret search", "/audit?actor=admin");

        var cut = Render<PreferencesPage>();

        cut.WaitForAssertion(() => Assert.Equal(["Denials", "Open jobs"], cut.FindAll("a.saved-search-open").Select(a => a.TextContent)));
        Assert.DoesNotContain("Bob's secret search", cut.Markup);
        Assert.Equal("/jobs?status=Open", cut.FindAll("a.saved-search-open")[1].GetAttribute("href"));

        cut.FindAll("button.saved-search-delete")[0].Click();

        cut.WaitForAssertion(() => Assert.Equal(["Open jobs"], cut.FindAll("a.saved-search-open").Select(a => a.TextContent)));
        Assert.Equal("Search \"Denials\" deleted.", cut.Find("#saved-search-delete-message").TextContent);
        Assert.Single(Preferences.Of("bob").Searches);
    }

    [Fact]
    public void Given_the_layout_around_the_page_When_the_user_chooses_Europe_Paris_Then_it_is_recorded_and_times_show_in_Paris_at_once()
    {
        // The layout brings its own popover provider (for the select) and cascades the zone.
        var layout = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(b =>
        {
            b.OpenComponent<PreferencesPage>(0);
            b.CloseComponent();
        })));
        layout.WaitForAssertion(() => Assert.EndsWith(" UTC", layout.Find("#preferences-now").TextContent.Trim()));

        layout.Find("#preferences-zone .mud-select .mud-input-control").MouseDown();
        layout.WaitForAssertion(() => layout.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == "Europe/Paris").Click());
        layout.Find("#preferences-time-zone-save").Click();

        layout.WaitForAssertion(() => Assert.Equal("Time zone Europe/Paris chosen.", layout.Find("#preferences-time-zone-message").TextContent));
        Assert.Equal("Europe/Paris", Preferences.Of("admin").TimeZoneId);
        var now = layout.Find("#preferences-now");
        Assert.EndsWith("Europe/Paris", now.TextContent.Trim());
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$", now.QuerySelector(".local-time")!.GetAttribute("title"));
    }
}
