namespace AuditPortal.Web.Tests.Auth;

public class NavMenuTests : PortalTestContext
{
    private BunitAuthorizationContext _auth = null!;

    protected override void AddServices() => _auth = AddAuthorization();

    /// <summary>The policies a persona passes, as PermissionHandler decides them from the portal's list.</summary>
    private void SignInAs(string user, Permission[] persona)
    {
        _auth.SetAuthorized(user);
        var policies = persona.Select(p => p.ToString()).Append(Policies.SignedIn).ToList();
        if (persona.Contains(Permission.EditAccessControl) || persona.Contains(Permission.ReadAudit)) policies.Add(Policies.ViewAccessControl);
        _auth.SetPolicies([.. policies]);
    }

    private static List<string> Links(IRenderedComponent<NavMenu> cut) =>
        cut.FindAll(".mud-nav-link").Select(a => a.GetAttribute("href") ?? "").ToList();

    [Theory]
    [InlineData("alice", "support", new[] { "/", "/wallets", "/jobs" })]
    [InlineData("carol", "auditor", new[] { "/", "/wallets", "/jobs", "/audit", "/access-control" })]
    [InlineData("admin", "admin", new[] { "/", "/wallets", "/jobs", "/audit", "/access-control", "/projections" })]
    public void Given_a_persona_When_the_menu_renders_Then_it_links_only_the_pages_the_persona_may_open(string user, string persona, string[] expected)
    {
        SignInAs(user, persona switch { "support" => Personas.Support, "auditor" => Personas.Auditor, _ => Personas.Admin });

        var cut = Render<NavMenu>();

        Assert.Equal(expected.Select(e => e.TrimStart('/')), Links(cut).Where(h => !h.Contains("account", StringComparison.Ordinal)).Select(h => h.Replace("http://localhost/", "", StringComparison.Ordinal).TrimStart('/')));
        Assert.Contains(user, cut.Find("#signed-in-user").TextContent, StringComparison.Ordinal);
        Assert.Equal("account/signout", cut.Find("#signout-form").GetAttribute("action"));
    }

    [Fact]
    public void Given_nobody_signed_in_When_the_menu_renders_Then_it_offers_only_sign_in()
    {
        _auth.SetNotAuthorized();

        var cut = Render<NavMenu>();

        var link = Assert.Single(Links(cut));
        Assert.Contains("account/signin", link, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("#sign-out"));
    }

    [Fact]
    public void Given_a_revoked_permission_When_the_user_navigates_Then_the_link_disappears()
    {
        SignInAs("dave", Personas.Admin);
        var cut = Render<NavMenu>();
        Assert.Contains(Links(cut), h => h.EndsWith("access-control", StringComparison.Ordinal));

        // Only the ACL's answer changes (no authentication-state event): the next navigation must re-check it.
        _auth.SetPolicies(Policies.SignedIn, Policies.ReadWallets);
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("wallets");

        cut.WaitForAssertion(() => Assert.DoesNotContain(Links(cut), h => h.EndsWith("access-control", StringComparison.Ordinal)));
        Assert.Contains(Links(cut), h => h.EndsWith("wallets", StringComparison.Ordinal));
    }
}
