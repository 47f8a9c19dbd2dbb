using AuditPortal.Web.Components.Pages.Approvals;

namespace AuditPortal.Web.Tests.Approvals;

public class ApprovalsAddressTests : PageTestContext
{
    [Fact]
    public void Given_an_unknown_view_and_status_in_the_address_When_the_page_opens_Then_both_are_named_and_the_defaults_shown()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("approvals?show=everything&status=closed");

        var cut = Render<ApprovalsPage>();

        var error = cut.WaitForElement("#approvals-address-error").TextContent;
        Assert.Contains("\"everything\" in the address is not a view of this page (to-approve, mine, all)", error);
        Assert.Contains("\"closed\" in the address is not a status filter (open, all)", error);
        Assert.Equal("page", cut.Find("#approvals-show-to-approve").GetAttribute("aria-current"));
    }

    [Fact]
    public void Given_views_When_spelled_and_read_back_Then_each_round_trips()
    {
        foreach (var view in new[] { ApprovalView.ToApprove, ApprovalView.Mine, ApprovalView.All })
        foreach (var pendingOnly in new[] { true, false })
        {
            var address = new Uri(new Uri("http://portal"), ApprovalFormat.Address(view, pendingOnly));
            var query = System.Web.HttpUtility.ParseQueryString(address.Query);
            Assert.Equal((view, pendingOnly, (string?)null), ApprovalFormat.Parse(query["show"], query["status"]));
        }
    }
}
