using AuditPortal.Web.Components.Pages.Approvals;

namespace AuditPortal.Web.Tests.Approvals;

public class ApprovalsPageTests : PageTestContext
{
    /// <summary>Opens the page at its address, as the router would (the filters come from the query string).</summary>
    private IRenderedComponent<ApprovalsPage> RenderPage(string? show = null, string? status = null)
    {
        var query = string.Join("&", new[] { show is null ? null : $"show={show}", status is null ? null : $"status={status}" }.OfType<string>());
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("approvals" + (query.Length == 0 ? "" : "?" + query));
        return Render<ApprovalsPage>();
    }

    private void SignInAs(string user, bool mayApprove)
    {
        Auth.SetAuthorized(user);
        Auth.SetPolicies(mayApprove
            ? [Policies.GrantCredits, Policies.SpendCredits, Policies.ApproveChanges, Policies.ViewApprovals]
            : [Policies.GrantCredits, Policies.SpendCredits, Policies.ViewApprovals]);
        ApprovalReads.Me = user;
        ApprovalReads.MayApprove = mayApprove;
    }

    private static void Publish(ReadModelChanges changes) =>
        _ = changes.PublishAsync(new ReadModelChange(40, new HashSet<Guid>(), new HashSet<Guid>(), Approvals: true));

    [Fact]
    public void Given_requests_of_others_and_mine_When_an_approver_opens_the_page_Then_others_pending_show_with_age_amount_requester_target_and_reason()
    {
        SignInAs("sam", mayApprove: true);
        var alices = ApprovalReads.Add("alice", 5000, at: DateTimeOffset.UtcNow.AddHours(-5));
        ApprovalReads.Add("sam", 2000);
        ApprovalReads.Add("bob", 3000, status: ApprovalStatus.Approved);

        var cut = RenderPage();

        var row = Assert.Single(cut.FindAll(".approval-row"));
        Assert.Equal(alices.Id.ToString(), row.GetAttribute("data-id"));
        Assert.Equal("5 h", row.QuerySelector(".approval-age")!.TextContent);
        Assert.Equal("alice", row.QuerySelector(".approval-requester")!.TextContent);
        Assert.Equal("grant 5,000 credits", row.QuerySelector(".approval-change")!.TextContent);
        Assert.Equal($"/wallets/{alices.TargetId}", row.QuerySelector(".approval-target a")!.GetAttribute("href"));
        Assert.Equal("refund of the outage", row.QuerySelector(".approval-reason")!.TextContent);
        Assert.NotNull(cut.Find($"#approve-{alices.Id}"));
        Assert.Equal(ApprovalView.ToApprove, ApprovalReads.Queries.Last().View);
    }

    [Fact]
    public void Given_a_requester_known_by_a_display_name_When_an_approver_opens_the_page_Then_the_name_shows_beside_the_subject()
    {
        SignInAs("sam", mayApprove: true);
        ApprovalReads.Add("ada@idp.example", 5000);
        ApprovalReads.DisplayNames["ada@idp.example"] = "Ada Lovelace";

        var cut = RenderPage();

        Assert.Equal("Ada Lovelace (ada@idp.example)", Assert.Single(cut.FindAll(".approval-row")).QuerySelector(".approval-requester")!.TextContent);
    }

    [Fact]
    public void Given_the_mine_filter_in_the_address_When_the_requester_opens_the_page_Then_her_requests_show_with_withdraw_and_no_approve()
    {
        SignInAs("alice", mayApprove: false);
        var mine = ApprovalReads.Add("alice", 5000);
        ApprovalReads.Add("Alice", 7000, status: ApprovalStatus.Rejected);
        ApprovalReads.Add("bob", 3000);

        var cut = RenderPage(show: "mine", status: "all");

        Assert.Equal((ApprovalView.Mine, false), (ApprovalReads.Queries.Last().View, ApprovalReads.Queries.Last().PendingOnly));
        Assert.Equal(2, cut.FindAll(".approval-row").Count);
        Assert.NotNull(cut.Find($"#withdraw-{mine.Id}"));
        Assert.Empty(cut.FindAll("[id^=approve-]"));
        Assert.Equal("filled", cut.Find("#approvals-show-mine").ClassList.Contains("mud-button-filled") ? "filled" : "outlined");
        Assert.Equal("/approvals?show=all&status=all", cut.Find("#approvals-show-all").GetAttribute("href"));
    }

    [Fact]
    public void Given_a_pending_request_When_the_approver_approves_Then_the_command_carries_the_version_seen_and_the_note()
    {
        RenderProviders();
        SignInAs("sam", mayApprove: true);
        var request = ApprovalReads.Add("alice", 5000);
        var cut = RenderPage();

        cut.Find($"#approval-note-{request.Id}").Input("ticket 42 checked");
        cut.Find($"#approve-{request.Id}").Click();

        cut.WaitForAssertion(() => Assert.Single(ApprovalCommands.Issued));
        var issued = ApprovalCommands.Issued[0];
        Assert.Equal(("approve", "sam", request.Id, "ticket 42 checked", 1L), (issued.Kind, issued.Actor.UserName, issued.RequestId, issued.Text, issued.ExpectedVersion));
        cut.WaitForAssertion(() => Assert.Contains("approve done.", cut.Find("#approval-outcome").TextContent));
    }

    [Fact]
    public void Given_a_refused_rejection_When_shown_Then_the_reason_says_why_and_the_typed_text_stays()
    {
        SignInAs("sam", mayApprove: true);
        var request = ApprovalReads.Add("alice", 5000);
        ApprovalCommands.Answer = _ => CommandResult.Rejected(new ValidationError("reason", "A reason is required."));
        var cut = RenderPage();

        cut.Find($"#approval-note-{request.Id}").Input("  ");
        cut.Find($"#reject-{request.Id}").Click();

        cut.WaitForAssertion(() => Assert.Contains("A reason is required.", cut.Find("#approval-outcome").TextContent));
        Assert.Equal("reject", ApprovalCommands.Issued.Single().Kind);
    }

    [Fact]
    public void Given_a_note_being_typed_When_a_live_change_arrives_Then_the_list_refreshes_and_the_note_is_kept()
    {
        SignInAs("sam", mayApprove: true);
        var request = ApprovalReads.Add("alice", 5000);
        var cut = RenderPage();
        cut.Find($"#approval-note-{request.Id}").Input("half typed");

        ApprovalReads.Add("bob", 1200);
        Publish(Changes);

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".approval-row").Count));
        Assert.Equal("half typed", cut.Find($"#approval-note-{request.Id}").GetAttribute("value"));
    }

    [Fact]
    public void Given_support_without_the_approve_permission_When_others_requests_show_Then_there_is_nothing_to_click()
    {
        SignInAs("alice", mayApprove: false);
        ApprovalReads.Add("bob", 5000);

        var cut = RenderPage(show: "all");

        Assert.Single(cut.FindAll(".approval-row"));
        Assert.Empty(cut.FindAll("[id^=approve-]"));
        Assert.Empty(cut.FindAll("[id^=reject-]"));
    }

    [Fact]
    public void Given_a_wallet_with_a_pending_request_When_it_is_approved_elsewhere_Then_the_wallet_page_shows_the_outcome_without_reload()
    {
        var wallet = WalletReads.Add("dana", balance: 100, version: 2);
        var request = ApprovalReads.Add("alice", 5000, walletId: wallet.Id);
        var cut = Render<Components.Pages.Wallets.WalletDetail>(p => p.Add(x => x.Id, wallet.Id.ToString()));
        Assert.Equal("Pending", cut.Find(".target-approval").GetAttribute("data-status"));

        request.Status = ApprovalStatus.Approved;
        request.DecidedBy = "sam";
        Publish(Changes);

        cut.WaitForAssertion(() => Assert.Equal("Approved", cut.Find(".target-approval").GetAttribute("data-status")));
        Assert.Equal("sam", cut.Find(".target-approval-decided-by").TextContent);
    }

    [Fact]
    public void Given_an_approver_When_the_menu_link_renders_Then_it_counts_the_requests_waiting_and_follows_changes()
    {
        SignInAs("sam", mayApprove: true);
        ApprovalReads.Add("alice", 5000);
        ApprovalReads.Add("sam", 5000);

        var cut = Render<ApprovalsNavLink>();
        Assert.Equal("1", cut.Find("#approvals-waiting").TextContent);

        ApprovalReads.Add("bob", 2000);
        Publish(Changes);

        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("#approvals-waiting").TextContent));
    }

    [Fact]
    public void Given_someone_who_cannot_approve_When_the_menu_link_renders_Then_it_shows_no_count()
    {
        SignInAs("alice", mayApprove: false);
        ApprovalReads.Add("bob", 5000);

        var cut = Render<ApprovalsNavLink>();

        Assert.Empty(cut.FindAll("#approvals-waiting"));
        Assert.Contains("Approvals", cut.Markup);
    }

    [Theory]
    [InlineData(30, "30 min")]
    [InlineData(60 * 5, "5 h")]
    [InlineData(60 * 24 * 3, "3 d")]
    public void Given_a_request_When_its_age_is_shown_Then_minutes_hours_or_days(int minutes, string expected)
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(expected, ApprovalFormat.Age(now.AddMinutes(-minutes), now));
    }
}
