namespace AuditPortal.Web.Tests.Layout;

public class MainLayoutTests : PortalTestContext
{
    // The menu shows links by policy: an admin sees them all.
    protected override void AddServices()
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("admin");
        auth.SetPolicies([.. Enum.GetNames<AuditPortal.Core.AccessControl.Permission>(), Infrastructure.Auth.Policies.SignedIn, Infrastructure.Auth.Policies.ViewAccessControl]);
    }

    [Fact]
    public void Given_the_layout_When_rendered_Then_app_bar_navigation_and_body_show()
    {
        var cut = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p id='body'>page body</p>"))));

        Assert.Contains("AuditPortal", cut.Find(".mud-appbar").TextContent);
        Assert.NotNull(cut.Find("#body"));
        Assert.NotEmpty(cut.FindAll(".mud-nav-link"));
    }

    [Fact]
    public void Given_the_layout_When_the_dark_mode_toggle_is_clicked_Then_the_theme_switches()
    {
        var cut = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(_ => { })));
        Assert.Equal("light", cut.Find(".mud-layout").GetAttribute("data-theme"));

        cut.Find("#dark-mode-toggle").Click();

        cut.WaitForAssertion(() => Assert.Equal("dark", cut.Find(".mud-layout").GetAttribute("data-theme")));
    }

    [Fact]
    public void Given_the_layout_When_it_renders_Then_a_skip_link_comes_first_and_targets_the_main_landmark_holding_the_page()
    {
        var cut = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p id='body'>page body</p>"))));

        var firstFocusable = cut.FindAll("a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])")[0];
        Assert.Equal("skip-to-main", firstFocusable.Id);
        Assert.Equal("Skip to main content", firstFocusable.TextContent);
        Assert.EndsWith("#main-content", firstFocusable.GetAttribute("href"));
        var main = cut.Find("main#main-content");
        Assert.Equal("-1", main.GetAttribute("tabindex"));
        Assert.NotNull(main.QuerySelector("#body"));
    }

    [Fact]
    public void Given_dark_mode_was_chosen_before_When_the_layout_becomes_interactive_Then_it_opens_in_dark_mode()
    {
        JSInterop.Setup<string?>("localStorage.getItem", MainLayout.ThemeStorageKey).SetResult("dark");

        var cut = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(_ => { })));

        cut.WaitForAssertion(() => Assert.Equal("dark", cut.Find(".mud-layout").GetAttribute("data-theme")));
        Assert.Equal("true", cut.Find(".mud-layout").GetAttribute("data-interactive"));
        Assert.Equal("true", cut.Find("#dark-mode-toggle").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void Given_light_mode_When_the_user_toggles_dark_mode_Then_the_choice_is_stored_for_the_next_visit()
    {
        var cut = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(_ => { })));

        cut.Find("#dark-mode-toggle").Click();

        cut.WaitForAssertion(() => Assert.Equal("dark", cut.Find(".mud-layout").GetAttribute("data-theme")));
        var stored = JSInterop.VerifyInvoke("localStorage.setItem");
        Assert.Equal([MainLayout.ThemeStorageKey, "dark"], stored.Arguments);
    }
}
