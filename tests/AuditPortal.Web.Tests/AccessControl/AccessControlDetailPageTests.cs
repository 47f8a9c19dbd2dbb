using AuditPortal.Web.Tests.Audit;

namespace AuditPortal.Web.Tests.AccessControl;

public class AccessControlDetailPageTests : PortalTestContext
{
    private readonly FakeAccessControlReads _queries = new();
    private readonly FakeAccessControlCommands _commands = new();
    private readonly FakeAuditReads _reader = new();

    protected override void AddServices()
    {
        Services.AddSingleton<IAccessControlReads>(_queries);
        Services.AddSingleton<IAccessControlCommands>(_commands);
        Services.AddSingleton<IAuditReads>(_reader);
        Services.AddSingleton<IStreamStateReads>(_reader);
        Services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        var auth = AddAuthorization();
        auth.SetAuthorized("admin");
        auth.SetPolicies(Policies.EditAccessControl);
        Services.AddScoped<CurrentUser>();
    }

    private (IRenderedComponent<MudPopoverProvider> Popovers, IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<MudSnackbarProvider> Snackbars, IRenderedComponent<AccessControlDetailPage> Page)
        RenderPage(string id)
    {
        var popovers = Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var page = Render<AccessControlDetailPage>(p => p.Add(x => x.Id, id));
        return (popovers, dialogs, snackbars, page);
    }

    /// <summary>The portal list's page with its grant dialog open.</summary>
    private (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<MudSnackbarProvider> Snackbars, IRenderedComponent<AccessControlDetailPage> Page)
        OpenGrantDialog()
    {
        var (_, dialogs, snackbars, cut) = RenderPage(FakeAccessControlReads.PortalId.ToString());
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#acl-grant")));
        cut.Find("#acl-grant").Click();
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("#acl-principal")));
        return (dialogs, snackbars, cut);
    }

    /// <summary>The portal list's page with its grant dialog filled in (the end too, when given) and submitted.</summary>
    private (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<MudSnackbarProvider> Snackbars, IRenderedComponent<AccessControlDetailPage> Page)
        SubmitGrant(string principal, string reason, string? until = null)
    {
        var (dialogs, snackbars, cut) = OpenGrantDialog();
        dialogs.Find("#acl-principal").Input(principal);
        if (until is not null) dialogs.Find("#acl-until").Input(until);
        dialogs.Find("#acl-reason").Input(reason);
        dialogs.Find("#acl-submit").Click();
        return (dialogs, snackbars, cut);
    }

    [Fact]
    public void Given_a_list_with_hostile_text_When_its_page_opens_Then_entries_and_history_show_with_the_text_escaped()
    {
        var (_, _, _, cut) = RenderPage(FakeAccessControlReads.PortalId.ToString());

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr.acl-entry").Count));
        Assert.Contains("Access control: portal", cut.Find("h1").TextContent);
        Assert.Contains("Version 4", cut.Markup);
        Assert.Contains(cut.FindAll(".acl-entry-principal"), td => td.TextContent == FakeAccessControlReads.Hostile);
        Assert.Contains(cut.FindAll(".acl-entry-reason"), td => td.TextContent == FakeAccessControlReads.Hostile);
        Assert.NotNull(cut.Find(".stream-timeline"));
        Assert.Equal(FakeAccessControlReads.PortalId, _reader.Queries.Single().Filter.StreamId);
        Assert.Empty(cut.FindAll("script"));
    }

    [Fact]
    public void Given_a_single_sign_on_user_who_signed_in_When_an_admin_types_their_display_name_Then_picking_them_grants_to_their_stable_name()
    {
        var (dialogs, _, _) = OpenGrantDialog();

        dialogs.Find("#acl-principal").Input("lovelace");
        dialogs.WaitForAssertion(() => Assert.Equal("Ada Lovelace (ada@idp.example)", dialogs.Find(".acl-person").TextContent.Trim()));
        dialogs.Find(".acl-person").Click();
        dialogs.Find("#acl-reason").Input("joins support");
        dialogs.Find("#acl-submit").Click();

        dialogs.WaitForAssertion(() => Assert.Equal("ada@idp.example", Assert.Single(_commands.Calls).Principal));
    }

    [Theory]
    [InlineData("not-a-guid", "is not an access-control list id")]
    [InlineData("0190dddd-0000-7000-8000-000000000009", "There is no access-control list with id 0190dddd-0000-7000-8000-000000000009.")]
    public void Given_a_malformed_or_unknown_id_When_the_list_page_opens_Then_a_clear_not_found_message_shows(string id, string message)
    {
        var (_, _, _, cut) = RenderPage(id);

        cut.WaitForAssertion(() => Assert.Contains(message, cut.Find("#acl-not-found").TextContent));
    }

    [Fact]
    public void Given_a_hostile_id_in_the_address_When_the_list_page_opens_Then_it_is_shown_as_text()
    {
        var (_, _, _, cut) = RenderPage(FakeAccessControlReads.Hostile);

        cut.WaitForAssertion(() => Assert.Contains(FakeAccessControlReads.Hostile, cut.Find("#acl-not-found").TextContent));
        Assert.Empty(cut.FindAll("script"));
    }

    [Fact]
    public void Given_the_grant_dialog_When_submitted_Then_the_command_carries_the_views_version_and_the_current_user()
    {
        var (_, dialogs, snackbars, cut) = RenderPage(FakeAccessControlReads.PortalId.ToString());
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr.acl-entry").Count));

        cut.Find("#acl-grant").Click();
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("#acl-principal")));
        dialogs.Find("#acl-principal").Input("carol");
        dialogs.Find("#acl-reason").Input("joins the audit team");
        dialogs.Find("#acl-submit").Click();

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll(".acl-dialog")));
        var call = Assert.Single(_commands.Calls);
        Assert.Equal(("grant", "admin", FakeAccessControlReads.PortalId, "carol", "joins the audit team", 4L),
            (call.Kind, call.Actor.UserName, call.AclId, call.Principal, call.Reason, call.ExpectedVersion));
        Assert.NotEqual(Guid.Empty, call.CommandId);
        snackbars.WaitForAssertion(() => Assert.Contains("Granted ReadWallets to carol.", snackbars.Markup));
        Assert.True(_queries.Loads >= 2);
    }

    [Fact]
    public void Given_an_end_typed_in_the_grant_dialog_When_submitted_Then_the_command_carries_it_as_utc()
    {
        var (dialogs, _, _) = SubmitGrant("carol", "audit season", until: "2027-03-31");

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll(".acl-dialog")));
        Assert.Equal(new DateTimeOffset(2027, 3, 31, 0, 0, 0, TimeSpan.Zero), Assert.Single(_commands.Calls).Until);
    }

    [Fact]
    public void Given_an_end_that_is_not_a_date_When_submitting_the_grant_Then_it_is_refused_at_the_field_without_a_command()
    {
        var (dialogs, _, _) = SubmitGrant("carol", "audit season", until: "end of March");

        dialogs.WaitForAssertion(() => Assert.Contains("\"end of March\" is not a date", dialogs.Markup));
        Assert.Empty(_commands.Calls);
        Assert.Equal("end of March", dialogs.Find("#acl-until").GetAttribute("value"));
    }

    [Fact]
    public void Given_an_end_in_the_past_When_the_command_refuses_it_Then_the_message_shows_at_the_until_field()
    {
        _commands.Answer = _ => CommandResult.Rejected(new ValidationError("until", "The end of a grant must be in the future: 2020-01-01 00:00 UTC is not after now."));
        var (dialogs, _, _) = SubmitGrant("carol", "audit season", until: "2020-01-01");

        dialogs.WaitForAssertion(() => Assert.Contains("must be in the future", dialogs.Markup));
        Assert.NotEmpty(dialogs.FindAll(".acl-dialog"));
    }

    [Fact]
    public void Given_a_missing_principal_or_reason_When_submitting_the_dialog_Then_it_is_refused_without_a_command()
    {
        var (dialogs, _, _) = OpenGrantDialog();

        dialogs.Find("#acl-submit").Click();

        dialogs.WaitForAssertion(() => Assert.Contains("Enter the user name", dialogs.Markup));
        Assert.Contains("the reason is kept in the audit trail", dialogs.Markup);
        Assert.Empty(_commands.Calls);
        Assert.NotEmpty(dialogs.FindAll(".acl-dialog"));
    }

    [Fact]
    public void Given_a_rejected_field_When_the_command_answers_Then_the_error_shows_at_the_field_and_the_input_stays()
    {
        _commands.Answer = _ => CommandResult.Rejected(new ValidationError("reason", "The reason is 2,001 characters long; at most 2,000 are allowed."));
        var (dialogs, _, _) = SubmitGrant("carol", "too long, pretend");

        dialogs.WaitForAssertion(() => Assert.Contains("at most 2,000 are allowed", dialogs.Markup));
        Assert.Equal("carol", dialogs.Find("#acl-principal").GetAttribute("value"));
    }

    [Fact]
    public void Given_the_last_admin_When_revoking_them_Then_the_rule_shows_clearly()
    {
        _commands.Answer = c => CommandResult.Rejected(new RuleViolated(ErrorCodes.LastAdmin, $"{c.Principal} is the last admin of the portal; grant another admin first."));
        var (_, dialogs, _, cut) = RenderPage(FakeAccessControlReads.PortalId.ToString());
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr.acl-entry").Count));

        cut.FindAll("tr.acl-entry").Single(r => r.GetAttribute("data-principal") == "admin").QuerySelector(".acl-revoke")!.Click();
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("#acl-reason")));
        Assert.Equal("admin", dialogs.Find("#acl-principal").GetAttribute("value"));
        dialogs.Find("#acl-reason").Input("leaving");
        dialogs.Find("#acl-submit").Click();

        dialogs.WaitForAssertion(() => Assert.Contains("Not revoked: admin is the last admin of the portal", dialogs.Find("#acl-problem").TextContent));
        var call = Assert.Single(_commands.Calls);
        Assert.Equal(("revoke", Permission.EditAccessControl, 4L), (call.Kind, call.Permission, call.ExpectedVersion));
    }

    [Fact]
    public void Given_a_conflict_When_the_command_answers_Then_the_dialog_says_the_list_changed_and_stays_open()
    {
        _commands.Answer = _ => CommandResult.Conflict("This access-control list changed since you opened it; reload to see the change, then try again.");
        var (dialogs, _, _) = SubmitGrant("carol", "audit");

        dialogs.WaitForAssertion(() => Assert.Contains("changed since you opened it", dialogs.Find("#acl-problem").TextContent));
        Assert.Equal("audit", dialogs.Find("#acl-reason").GetAttribute("value") ?? dialogs.Find("#acl-reason").TextContent);
    }

    [Fact]
    public void Given_a_refusal_in_the_dialog_When_the_user_edits_a_field_Then_the_message_goes_and_the_input_stays()
    {
        _commands.Answer = _ => CommandResult.Unavailable("The database did not answer; nothing was recorded.");
        var (dialogs, _, cut) = SubmitGrant("carol", "audit");
        dialogs.WaitForAssertion(() => Assert.Contains("did not answer", dialogs.Find("#acl-problem").TextContent));

        // The page re-renders (e.g. a live refresh): the message and the input stay.
        cut.Render();
        Assert.Contains("did not answer", dialogs.Find("#acl-problem").TextContent);

        dialogs.Find("#acl-reason").Input("audit, again");

        Assert.Empty(dialogs.FindAll("#acl-problem"));
        Assert.Equal("carol", dialogs.Find("#acl-principal").GetAttribute("value"));
    }

    [Fact]
    public void Given_a_hostile_principal_When_revoked_through_the_dialog_Then_it_shows_literally_in_the_dialog_and_the_snackbar()
    {
        var (_, dialogs, snackbars, cut) = RenderPage(FakeAccessControlReads.PortalId.ToString());
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr.acl-entry").Count));

        cut.FindAll("tr.acl-entry").Single(r => r.GetAttribute("data-principal") == FakeAccessControlReads.Hostile).QuerySelector(".acl-revoke")!.Click();
        dialogs.WaitForAssertion(() => Assert.Equal(FakeAccessControlReads.Hostile, dialogs.Find("#acl-principal").GetAttribute("value")));
        dialogs.Find("#acl-reason").Input(FakeAccessControlReads.Hostile);
        dialogs.Find("#acl-submit").Click();

        snackbars.WaitForAssertion(() => Assert.Contains($"Revoked ReadAudit from {FakeAccessControlReads.Hostile}.", snackbars.Find(".mud-snackbar").TextContent));
        Assert.Empty(snackbars.FindAll("script"));
        Assert.Empty(dialogs.FindAll("script"));
        Assert.Equal(FakeAccessControlReads.Hostile, _commands.Calls.Single().Reason);
    }
}
