using AuditPortal.Web.Components.Layout;
using Bunit;
using Microsoft.AspNetCore.Components;

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
    public void Layout_renders_app_bar_navigation_and_body()
    {
        var cut = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p id='body'>page body</p>"))));

        Assert.Contains("AuditPortal", cut.Find(".mud-appbar").TextContent);
        Assert.NotNull(cut.Find("#body"));
        Assert.NotEmpty(cut.FindAll(".mud-nav-link"));
    }

    [Fact]
    public void Dark_mode_toggle_switches_the_theme()
    {
        var cut = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(_ => { })));
        Assert.Equal("light", cut.Find(".mud-layout").GetAttribute("data-theme"));

        cut.Find("#dark-mode-toggle").Click();

        cut.WaitForAssertion(() => Assert.Equal("dark", cut.Find(".mud-layout").GetAttribute("data-theme")));
    }
}
