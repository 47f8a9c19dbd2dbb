namespace AuditPortal.Web.Tests.AccessControl;

public class AccessControlListsPageTests : PortalTestContext
{
    private readonly FakeAccessControlReads _queries = new();
    private BunitAuthorizationContext _auth = null!;

    protected override void AddServices()
    {
        Services.AddSingleton<IAccessControlReads>(_queries);
        // An auditor by default: the lists open read-only (ViewAccessControl).
        _auth = AddAuthorization();
        _auth.SetAuthorized("carol");
        _auth.SetPolicies(Policies.ViewAccessControl);
    }

    [Fact]
    public void Given_an_admin_or_an_auditor_When_the_lists_page_opens_Then_only_the_admin_is_offered_the_service_tokens()
    {
        var auditor = Render<AccessControlListsPage>();
        auditor.WaitForAssertion(() => Assert.Equal(2, auditor.FindAll("tr.acl-row").Count));
        Assert.Empty(auditor.FindAll("#acl-service-tokens-link"));

        _auth.SetAuthorized("admin");
        _auth.SetPolicies(Policies.ViewAccessControl, Policies.EditAccessControl);
        var admin = Render<AccessControlListsPage>();

        admin.WaitForAssertion(() => Assert.Equal("/access-control/service-tokens", admin.Find("#acl-service-tokens-link").GetAttribute("href")));
    }

    [Fact]
    public void Given_lists_When_the_lists_page_opens_Then_each_shows_its_resource_principals_and_last_change_with_a_link()
    {
        var cut = Render<AccessControlListsPage>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr.acl-row").Count));
        var portal = cut.FindAll("tr.acl-row")[0];
        Assert.Equal($"/access-control/{FakeAccessControlReads.PortalId}", portal.QuerySelector("a.acl-link")!.GetAttribute("href"));
        Assert.Equal($"{FakeAccessControlReads.Hostile}, admin, alice", portal.QuerySelector(".acl-principals")!.TextContent);
        Assert.Contains("2026-11-26 10:00:00", portal.TextContent);
        Assert.Equal("—", cut.FindAll("tr.acl-row")[1].QuerySelector(".acl-principals")!.TextContent);
        Assert.Empty(cut.FindAll("script"));
        // The portal's list first, said to decide what staff can do here; the resource lists are marketplace access.
        Assert.Contains("decides what staff can do in this portal", cut.Find("#acl-group-portal").TextContent);
        Assert.Contains("Marketplace access, edited here", cut.Find("#acl-group-marketplace").TextContent);
        Assert.Equal(["acl-group-portal", "acl-group-marketplace"], cut.FindAll("tr.acl-group").Select(r => r.Id));
    }

    [Fact]
    public void Given_no_lists_When_the_lists_page_opens_Then_it_says_so()
    {
        _queries.Lists.Clear();

        var cut = Render<AccessControlListsPage>();

        cut.WaitForAssertion(() => Assert.Contains("no access-control lists", cut.Find("#acl-empty").TextContent));
    }
}
