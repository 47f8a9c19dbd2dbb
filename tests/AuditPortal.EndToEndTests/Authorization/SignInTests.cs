namespace AuditPortal.EndToEndTests.Authorization;

public class SignInTests(PortalWebFactory portal) : IClassFixture<PortalWebFactory>
{
    [Fact]
    public async Task Given_a_return_url_When_signing_in_Then_the_redirect_is_local_and_never_to_another_site()
    {
        var client = portal.Client();
        var local = await PortalWebFactory.PostSignInAsync(client, "alice", "demo", "/wallets?page=2");
        Assert.Equal(HttpStatusCode.Redirect, local.StatusCode);
        Assert.EndsWith("/wallets?page=2", local.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var elsewhere = await PortalWebFactory.PostSignInAsync(portal.Client(), "alice", "demo", "//evil.example/x");
        Assert.Equal(HttpStatusCode.Redirect, elsewhere.StatusCode);
        Assert.DoesNotContain("evil", elsewhere.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_wrong_password_When_signing_in_repeatedly_Then_an_error_shows_and_the_account_locks()
    {
        var client = portal.Client();
        for (var i = 0; i < 2; i++)
        {
            var wrong = await PortalWebFactory.PostSignInAsync(client, "sam", "nope");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("not correct", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var third = await PortalWebFactory.PostSignInAsync(client, "sam", "nope");
        Assert.Contains("locked", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Locked: even the right password is refused until the lockout ends.
        var right = await PortalWebFactory.PostSignInAsync(client, "sam", "demo");
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_no_antiforgery_token_When_posting_sign_in_or_sign_out_Then_the_post_is_refused()
    {
        var client = portal.Client();
        var signIn = await client.PostAsync("/account/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin", ["Input.UserName"] = "alice", ["Input.Password"] = "demo",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);

        var signedIn = await portal.SignedInAsync("alice");
        var signOut = await signedIn.PostAsync("/account/signout", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.BadRequest, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task Given_any_response_When_inspected_Then_it_carries_the_security_headers_and_a_secure_auth_cookie_setup()
    {
        var response = await portal.Client().GetAsync("/account/signin");
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        // The circuit's own origin only ('self' covers its ws/wss in current browsers; the browser journeys prove it).
        Assert.Contains("connect-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("ws:", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("frame-ancestors 'self'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());

        var signIn = await PortalWebFactory.PostSignInAsync(portal.Client(), "carol", "demo");
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("AuditPortal.Auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Given_Development_When_the_sign_in_page_opens_Then_it_lists_the_demo_accounts()
    {
        var page = await portal.Client().GetStringAsync("/account/signin");
        foreach (var user in new[] { "admin", "dave", "alice", "sam", "carol" })
            Assert.Contains($"<td>{user}</td>", page, StringComparison.Ordinal);
    }
}
