namespace AuditPortal.EndToEndTests.SingleSignOn;

/// <summary>
/// Chromium signs in to the portal (127.0.0.1) through a real OpenID Connect provider (npm's certified
/// oidc-provider on localhost, another site): code flow with PKCE, answered by query, over plain http in Development.
/// </summary>
public class SingleSignOnJourneyTests(SingleSignOnPortal portal) : IClassFixture<SingleSignOnPortal>
{
    private static readonly PageWaitForURLOptions Slow = new() { Timeout = 30_000 };

    /// <summary>From the portal's sign-in page through the provider's own sign-in and consent pages, back to the portal.</summary>
    private async Task<IPage> SignInThroughProviderAsync(string subject, string path = "/")
    {
        var page = await portal.NewPageAsync();
        await page.GotoAsync($"{portal.BaseUrl}/account/signin?returnUrl={Uri.EscapeDataString(path)}");
        await page.Locator("#signin-external").ClickAsync();
        await ProviderSignInAsync(page, subject);
        await page.WaitForURLAsync(url => url.StartsWith(portal.BaseUrl + path, StringComparison.Ordinal), Slow);
        await page.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        return page;
    }

    private async Task ProviderSignInAsync(IPage page, string subject)
    {
        await page.WaitForURLAsync(url => url.StartsWith(portal.Provider.Issuer + "/interaction/", StringComparison.Ordinal), Slow);
        await page.Locator("input[name=login]").FillAsync(subject);
        await page.Locator("input[name=password]").FillAsync("any password: the provider's development pages check none");
        await page.Locator("button[type=submit]").ClickAsync();
        // First sign-in to this client: the provider asks for consent on its own page.
        var consent = page.Locator("form input[name=prompt][value=consent]");
        var backHome = page.WaitForURLAsync(url => url.StartsWith(portal.BaseUrl, StringComparison.Ordinal), Slow);
        if (await Task.WhenAny(backHome, consent.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = 30_000 })) != backHome)
            await page.Locator("button[type=submit]").ClickAsync();
        await backHome;
    }

    private async Task GrantAsync(string principal, params Permission[] permissions)
    {
        var acl = portal.Services.GetRequiredService<AccessControlService>();
        foreach (var permission in permissions)
        {
            var granted = await acl.GrantAsync(new Actor("admin", Guid.CreateVersion7().ToString()), Guid.CreateVersion7(), Resources.PortalAclId,
                principal, permission, "single sign-on journey", null);
            Assert.True(granted.Succeeded, granted.Message);
        }
    }

    [Fact]
    public async Task Given_an_unknown_subject_When_signing_in_through_the_provider_Then_no_access_names_them_and_a_grant_by_that_name_opens_the_next_click()
    {
        var page = await SignInThroughProviderAsync("ada");

        // First sign-in: no permission yet; the page names the person and the name an admin grants to.
        await Assertions.Expect(page.Locator("#no-access-user")).ToContainTextAsync("Ada Lovelace");
        var shown = (await page.Locator("#no-access-principal").InnerTextAsync()).Trim();
        Assert.Equal(portal.UserOf("ada"), shown);
        await Assertions.Expect(page.Locator("#signed-in-user")).ToContainTextAsync("Ada Lovelace");
        await PortalServer.ScreenshotAsync(page, "sso-first-sign-in");

        await GrantAsync(shown, Permission.ReadWallets);

        // Her next click: the menu re-checks the portal's list and the wallet list opens.
        await page.Locator(".mud-nav-link", new PageLocatorOptions { HasText = "Overview" }).ClickAsync();
        await page.Locator(".mud-nav-link", new PageLocatorOptions { HasText = "Wallets" }).ClickAsync();
        // The address changes before the new page's render arrives: the heading, not the address, says it opened.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Wallets", Level = 1 })).ToBeVisibleAsync();
        Assert.EndsWith("/wallets", page.Url, StringComparison.Ordinal);

        // On the record: the sign-in (method, client address, display name) on her access log.
        await using (var session = portal.Services.GetRequiredService<IDocumentStore>().QuerySession())
        {
            var log = await session.Events.FetchStreamAsync(AccessLog.StreamIdFor(shown));
            var signedIn = Assert.IsType<UserSignedIn>(Assert.Single(log, e => e.Data is UserSignedIn).Data);
            Assert.Equal(("Ada Lovelace", "oidc", "127.0.0.1"), (signedIn.DisplayName, signedIn.Method, signedIn.ClientAddress));
        }

        // And out again: the portal session ends; the next page asks to sign in.
        await page.Locator("#sign-out").ClickAsync();
        await page.Locator("#signed-out").WaitForAsync();
        await page.GotoAsync(portal.BaseUrl + "/wallets");
        await page.WaitForURLAsync(url => url.Contains("/account/signin", StringComparison.Ordinal));
        await using (var session = portal.Services.GetRequiredService<IDocumentStore>().QuerySession())
        {
            var log = await session.Events.FetchStreamAsync(AccessLog.StreamIdFor(shown));
            Assert.Contains(log, e => e.Data is UserSignedOut);
        }
    }

    [Fact]
    public async Task Given_a_user_disabled_at_the_provider_When_the_single_sign_on_session_is_due_for_its_check_Then_the_portal_access_ends()
    {
        await GrantAsync(portal.UserOf("grace"), Personas.Support);
        await GrantAsync(portal.UserOf("linus"), Personas.Support);
        await GrantAsync(portal.UserOf("ken"), Personas.Support);
        var grace = await SignInThroughProviderAsync("grace", "/wallets");
        var linus = await SignInThroughProviderAsync("linus", "/wallets");
        var ken = await SignInThroughProviderAsync("ken", "/wallets");
        // Ken closes the page: only his cookie is left.
        await ken.GotoAsync("about:blank");
        await Assertions.Expect(grace.Locator("h1")).ToContainTextAsync("Wallets");

        var silentReturn = linus.WaitForResponseAsync(r => r.Url == portal.BaseUrl + "/wallets" && r.Request.IsNavigationRequest && r.Status == 200,
            new PageWaitForResponseOptions { Timeout = 30_000 });
        await portal.Provider.DisableAsync("grace");
        await portal.Provider.DisableAsync("ken");
        portal.Clock.Advance(TimeSpan.FromMinutes(double.Parse(SingleSignOnPortal.SessionMinutes, System.Globalization.CultureInfo.InvariantCulture) + 1));

        // Her open page: the circuit's re-check (every second here) sends her to the provider, which no longer signs her in.
        await grace.WaitForURLAsync(url => url.StartsWith(portal.Provider.Issuer + "/interaction/", StringComparison.Ordinal), Slow);
        await Assertions.Expect(grace.Locator("input[name=login]")).ToBeVisibleAsync();
        // Her portal cookie ended on the way: a fresh request is only offered the sign-in page.
        await grace.GotoAsync(portal.BaseUrl + "/wallets");
        Assert.StartsWith(portal.BaseUrl + "/account/signin", grace.Url, StringComparison.Ordinal);
        // Without an open page, the next request with the cookie is served nothing: it goes to the provider, which no
        // longer signs him in, or (when the circuit Blazor keeps for a closed page ran its re-check first and ended the
        // cookie) to the portal's sign-in page. Both are the portal refusing him; neither shows the wallets.
        await ken.GotoAsync(portal.BaseUrl + "/wallets");
        if (ken.Url.StartsWith(portal.Provider.Issuer + "/interaction/", StringComparison.Ordinal))
            await Assertions.Expect(ken.Locator("input[name=login]")).ToBeVisibleAsync();
        else
            Assert.StartsWith(portal.BaseUrl + "/account/signin", ken.Url, StringComparison.Ordinal);

        // A user still enabled there comes back silently (the provider's own session lasts) to where he was, and the
        // renewed session is a sign-in on his record.
        await silentReturn;
        await using var session = portal.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var log = await session.Events.FetchStreamAsync(AccessLog.StreamIdFor(portal.UserOf("linus")));
        Assert.Equal(2, log.Count(e => e.Data is UserSignedIn));
    }
}
