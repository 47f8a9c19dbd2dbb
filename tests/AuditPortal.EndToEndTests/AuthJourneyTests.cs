namespace AuditPortal.EndToEndTests;

public class AuthJourneyTests(PortalServer server) : IClassFixture<PortalServer>
{
    private static readonly string[] AllLinks = ["Overview", "Wallets", "Jobs", "Audit explorer", "Access control", "Projections"];

    // Each link appears once its own policy check completes: assert with Playwright's retrying expectation.
    private static Task ExpectNavAsync(IPage page, params string[] expected) =>
        Assertions.Expect(page.Locator(".mud-drawer .mud-nav-link-text").Filter(new LocatorFilterOptions
        {
            HasTextRegex = new System.Text.RegularExpressions.Regex($"^\\s*({string.Join("|", AllLinks.Select(System.Text.RegularExpressions.Regex.Escape))})\\s*$"),
        })).ToHaveTextAsync(expected);

    [Theory]
    [InlineData("alice", new[] { "Overview", "Wallets", "Jobs" })]
    [InlineData("sam", new[] { "Overview", "Wallets", "Jobs" })]
    [InlineData("carol", new[] { "Overview", "Wallets", "Jobs", "Audit explorer", "Access control" })]
    [InlineData("admin", new[] { "Overview", "Wallets", "Jobs", "Audit explorer", "Access control", "Projections" })]
    public async Task Given_each_persona_When_signed_in_Then_it_sees_only_its_navigation(string user, string[] expected)
    {
        var page = await server.SignInAsync(user);

        await ExpectNavAsync(page, expected);
        Assert.Contains(user, await page.Locator("#signed-in-user").InnerTextAsync(), StringComparison.Ordinal);
        await PortalServer.ScreenshotAsync(page, "nav-" + user);
    }

    [Fact]
    public async Task Given_an_anonymous_visitor_When_opening_a_page_Then_they_are_sent_to_sign_in_and_come_back_after_it()
    {
        var page = await server.OpenAnonymousAsync("/");

        await page.WaitForURLAsync(url => url.Contains("/account/signin?returnUrl=%2F", StringComparison.Ordinal));
        Assert.Equal(5, await page.Locator("#demo-accounts tbody tr").CountAsync());

        await page.Locator("#username").FillAsync("alice");
        await page.Locator("#password").FillAsync("wrong");
        await page.Locator("#signin-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#signin-error")).ToContainTextAsync("not correct");
        await PortalServer.ScreenshotAsync(page, "signin-error");
    }

    [Fact]
    public async Task Given_a_signed_in_user_When_signing_out_Then_the_session_ends()
    {
        var page = await server.SignInAsync("sam");

        await page.Locator("#sign-out").ClickAsync();

        await page.Locator("#signed-out").WaitForAsync();
        await page.GotoAsync(server.BaseUrl + "/");
        await page.WaitForURLAsync(url => url.Contains("/account/signin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_an_admin_revoked_while_signed_in_When_navigating_Then_the_ACL_link_is_gone_and_the_next_ACL_change_is_refused()
    {
        var page = await server.SignInAsync("dave");
        await Assertions.Expect(page.Locator(".mud-drawer .mud-nav-link-text", new PageLocatorOptions { HasText = "Access control" })).ToHaveCountAsync(1);
        var dave = new Actor("dave", Guid.CreateVersion7().ToString());
        var acl = server.Services.GetRequiredService<AccessControlService>();
        Assert.True((await acl.GrantAsync(dave, Guid.CreateVersion7(), Resources.PortalAclId, "journey-user", Permission.ReadWallets, "before revocation", null)).Succeeded);

        // Another admin takes dave's rights away while his circuit is open.
        foreach (var permission in Personas.Admin)
            // As the portal itself: a person revoking admin permissions would only ask a second admin (four eyes).
            Assert.True((await acl.RevokeAsync(Actor.System("test"), Guid.CreateVersion7(), Resources.PortalAclId, "dave", permission, "revoked mid-session", null)).Succeeded);

        await page.Locator(".mud-nav-link", new PageLocatorOptions { HasText = "Overview" }).ClickAsync();
        await Assertions.Expect(page.Locator(".mud-drawer .mud-nav-link-text", new PageLocatorOptions { HasText = "Access control" })).ToHaveCountAsync(0);
        await ExpectNavAsync(page, "Overview");

        var refused = await acl.GrantAsync(dave, Guid.CreateVersion7(), Resources.PortalAclId, "journey-user", Permission.ReadJobs, "after revocation", null);
        Assert.Equal(CommandStatus.Forbidden, refused.Status);

        if (Authorization.PageAuthorizationMatrixTests.Routes().Contains("/access-control"))
        {
            // Inside the open circuit (no new HTTP request): the router re-checks the ACL on navigation.
            await page.EvaluateAsync("Blazor.navigateTo('/access-control')");
            await Assertions.Expect(page.Locator("#no-access")).ToContainTextAsync("You do not have access");
            // A full page load: the authorization middleware sends him to the no-access page.
            await page.GotoAsync(server.BaseUrl + "/access-control");
            await page.WaitForURLAsync(url => url.Contains("/account/access-denied", StringComparison.Ordinal));
        }
        else
        {
            await page.GotoAsync(server.BaseUrl + "/account/access-denied");
        }
        await Assertions.Expect(page.Locator("#no-access")).ToContainTextAsync("You do not have access");
        await PortalServer.ScreenshotAsync(page, "revoked-admin");
    }
}
