namespace AuditPortal.EndToEndTests;

public class HomePageTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Given_the_portal_When_the_home_page_opens_in_chromium_Then_it_becomes_interactive()
    {
        var page = await server.OpenAsync("/");

        Assert.Equal("AuditPortal", await page.TitleAsync());
        Assert.Contains("AuditPortal", await page.Locator(".mud-appbar").InnerTextAsync());
        await page.Locator("#dark-mode-toggle").ClickAsync();
        await page.Locator("[data-theme=dark]").WaitForAsync();
        await PortalServer.ScreenshotAsync(page, "home");
    }
}
