namespace AuditPortal.Web.Tests.AccessControl;

public class AccessControlListsAddressTests : PortalTestContext
{
    private readonly FakeAccessControlReads _queries = new();

    protected override void AddServices()
    {
        Services.AddSingleton<IAccessControlReads>(_queries);
        // The page offers admins the service tokens through an AuthorizeView: an auditor here.
        var auth = AddAuthorization();
        auth.SetAuthorized("carol");
        auth.SetPolicies(Policies.ViewAccessControl);
    }

    [Fact]
    public void Given_a_filter_in_the_address_When_the_page_opens_Then_only_matching_lists_show_and_the_field_holds_it()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/access-control?q=wallet");

        var cut = Render<AccessControlListsPage>();

        cut.WaitForAssertion(() => Assert.Equal(["wallet:0190"], cut.FindAll("tr.acl-row a.acl-link").Select(a => a.TextContent)));
        Assert.Equal("wallet", cut.Find("#acl-filter").GetAttribute("value"));
    }

    [Fact]
    public void Given_the_lists_When_a_principal_is_typed_Then_the_lists_holding_it_show_and_the_address_keeps_it()
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/access-control");
        var cut = Render<AccessControlListsPage>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr.acl-row").Count));

        cut.Find("#acl-filter").Input("ALICE");

        cut.WaitForAssertion(() => Assert.Equal(["portal"], cut.FindAll("tr.acl-row a.acl-link").Select(a => a.TextContent)), TimeSpan.FromSeconds(5));
        Assert.EndsWith("/access-control?q=ALICE", navigation.Uri);

        cut.Find("#acl-filter").Input("nobody");
        cut.WaitForAssertion(() => Assert.Contains("No access-control list matches \"nobody\"", cut.Find("#acl-filter-empty").TextContent), TimeSpan.FromSeconds(5));
        // The field stays where it was: the user keeps typing into it.
        Assert.Equal("nobody", cut.Find("#acl-filter").GetAttribute("value"));
    }
}
