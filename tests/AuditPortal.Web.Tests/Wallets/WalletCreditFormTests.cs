namespace AuditPortal.Web.Tests.Wallets;

public class WalletCreditFormTests : PageTestContext
{
    private readonly Guid _walletId = Guid.CreateVersion7();

    /// <summary>Types an amount and a reason into the grant form and clicks its button.</summary>
    private static void Submit(IRenderedComponent<GrantCreditsForm> cut, string amount, string reason)
    {
        cut.Find("#grant-amount").Input(amount);
        cut.Find("#grant-reason").Input(reason);
        cut.Find("#grant-submit").Click();
    }

    private IRenderedComponent<GrantCreditsForm> RenderGrant(long expectedVersion = 4, Action<CommandResult>? completed = null) =>
        Render<GrantCreditsForm>(p => p
            .Add(x => x.WalletId, _walletId)
            .Add(x => x.ExpectedVersion, expectedVersion)
            .Add(x => x.OnCompleted, r => completed?.Invoke(r)));

    /// <summary>The grant form after these credits were submitted and the service answered with <paramref name="answer"/>.</summary>
    private IRenderedComponent<GrantCreditsForm> SubmitAnswered(CommandResult answer, string amount = "5", string reason = "Bonus",
        Action<CommandResult>? completed = null)
    {
        RenderProviders();
        WalletCommands.Answer = _ => answer;
        var cut = RenderGrant(completed: completed);
        Submit(cut, amount, reason);
        return cut;
    }

    [Fact]
    public void Given_a_valid_grant_When_submitted_Then_one_command_is_issued_with_the_seen_version_the_actor_and_a_new_command_id()
    {
        RenderProviders();
        CommandResult? completed = null;
        var cut = RenderGrant(expectedVersion: 4, completed: r => completed = r);

        Submit(cut, "5", "Welcome bonus");

        cut.WaitForAssertion(() => Assert.NotNull(completed));
        var issued = Assert.Single(WalletCommands.Issued);
        Assert.Equal(("grant", _walletId, 5, "Welcome bonus", 4L), (issued.Kind, issued.WalletId, issued.Amount, issued.Reason, issued.ExpectedVersion));
        Assert.Equal("admin", issued.Actor.UserName);
        Assert.NotEqual(Guid.Empty, issued.CommandId);
        Assert.Equal(7, issued.CommandId.Version);
    }

    [Fact]
    public void Given_a_grant_When_support_picks_campaign_as_its_source_Then_the_command_says_campaign_and_approval_is_not_offered()
    {
        RenderProviders();
        var cut = RenderGrant();
        Assert.Equal(3, cut.FindAll("input[type=radio]").Count);
        Assert.DoesNotContain("Approval", cut.Find("#grant-form").TextContent);

        cut.Find("#grant-amount").Input("5");
        cut.Find("#grant-reason").Input("Spring campaign");
        cut.FindComponents<MudRadio<GrantSource>>()[1].Find("input").Click(); // Manual, Campaign, Refund
        cut.Find("#grant-submit").Click();

        cut.WaitForAssertion(() => Assert.Equal(GrantSource.Campaign, Assert.Single(WalletCommands.Issued).Source));
    }

    [Fact]
    public void Given_a_grant_When_no_source_is_picked_Then_it_is_manual()
    {
        RenderProviders();
        var cut = RenderGrant();

        Submit(cut, "5", "Goodwill");

        cut.WaitForAssertion(() => Assert.Equal(GrantSource.Manual, Assert.Single(WalletCommands.Issued).Source));
    }

    [Fact]
    public void Given_two_submissions_When_each_is_accepted_Then_each_has_its_own_command_id_and_the_fields_are_cleared()
    {
        RenderProviders();
        var cut = RenderGrant();
        for (var i = 0; i < 2; i++)
        {
            Submit(cut, "2", "Bonus " + i);
            cut.WaitForAssertion(() => Assert.Equal(i + 1, WalletCommands.Issued.Count));
            cut.WaitForAssertion(() => Assert.Equal("", cut.Find("#grant-amount").GetAttribute("value") ?? ""));
        }
        Assert.NotEqual(WalletCommands.Issued[0].CommandId, WalletCommands.Issued[1].CommandId);
    }

    [Theory]
    [InlineData("1.5", "not a whole number")]
    [InlineData("1,5", "not a whole number")]
    [InlineData("", "Enter the number of credits")]
    [InlineData("   ", "Enter the number of credits")]
    [InlineData("-3", "negative amounts are not allowed")]
    [InlineData("0", "at least 1 credit")]
    [InlineData("5 credits", "enter digits only")]
    [InlineData("99999999999", "too large")]
    public void Given_a_bad_amount_When_submitted_Then_the_amount_field_explains_and_no_command_is_issued(string amount, string expected)
    {
        RenderProviders();
        var cut = RenderGrant();

        Submit(cut, amount, "A reason");

        cut.WaitForAssertion(() => Assert.Contains(expected, cut.Find(".mud-input-error").TextContent, StringComparison.OrdinalIgnoreCase));
        Assert.Empty(WalletCommands.Issued);
        Assert.Equal(amount, cut.Find("#grant-amount").GetAttribute("value"));
    }

    [Fact]
    public void Given_no_reason_When_submitted_Then_the_reason_field_explains_and_no_command_is_issued()
    {
        RenderProviders();
        var cut = RenderGrant();

        cut.Find("#grant-amount").Input("5");
        cut.Find("#grant-submit").Click();

        cut.WaitForAssertion(() => Assert.Contains("Give a reason", cut.Find(".mud-input-error").TextContent));
        Assert.Empty(WalletCommands.Issued);
    }

    [Fact]
    public void Given_a_spend_above_the_balance_When_the_wallet_refuses_Then_the_error_shows_at_the_amount_field_and_the_input_is_kept()
    {
        RenderProviders();
        WalletCommands.Answer = _ => CommandResult.Rejected(new RuleViolated(ErrorCodes.InsufficientCredits, "Not enough credits in wallet: balance 3, requested 5"));
        var cut = Render<SpendCreditsForm>(p => p.Add(x => x.WalletId, _walletId).Add(x => x.ExpectedVersion, 2));

        cut.Find("#spend-amount").Input("5");
        cut.Find("#spend-reason").Input("Too much");
        cut.Find("#spend-submit").Click();

        cut.WaitForAssertion(() =>
        {
            var error = cut.Find(".mud-input-error");
            Assert.Contains("Not enough credits in wallet: balance 3, requested 5", error.TextContent);
            Assert.NotNull(error.ParentElement?.QuerySelector("#spend-amount") ?? error.ParentElement?.ParentElement?.QuerySelector("#spend-amount"));
        });
        Assert.Equal("5", cut.Find("#spend-amount").GetAttribute("value"));
        Assert.Equal("spend", Assert.Single(WalletCommands.Issued).Kind);
    }

    [Fact]
    public void Given_a_grant_above_the_per_operation_limit_When_the_wallet_refuses_Then_the_error_shows_at_the_amount_field_and_the_input_is_kept()
    {
        // The refusal the wallet's decision itself produces (not a hand-typed code), so the form matches what the service sends.
        var refusal = Assert.Throws<DomainException>(() => WalletDecisions.Handle(
            new Wallet(_walletId, "alice", 0, DateTimeOffset.UnixEpoch),
            new GrantCredits(_walletId, 6, "Too much", Guid.CreateVersion7(), "admin", DateTimeOffset.UnixEpoch),
            new WalletLimits(MaxCreditsPerOperation: 5)));

        var cut = SubmitAnswered(CommandResult.Rejected(refusal.Error), amount: "6", reason: "Too much");

        cut.WaitForAssertion(() =>
        {
            var error = cut.Find(".mud-input-error");
            Assert.Contains("above the limit of 5 credits per operation", error.TextContent);
            Assert.NotNull(error.ParentElement?.QuerySelector("#grant-amount") ?? error.ParentElement?.ParentElement?.QuerySelector("#grant-amount"));
        });
        Assert.Empty(cut.FindAll("#grant-alert"));
        Assert.Equal("6", cut.Find("#grant-amount").GetAttribute("value"));
    }

    [Fact]
    public void Given_a_reason_the_domain_refuses_When_submitted_Then_the_error_shows_at_the_reason_field()
    {
        var cut = SubmitAnswered(CommandResult.Rejected(new ValidationError("reason", "The reason is too long.")), reason: "x");

        cut.WaitForAssertion(() => Assert.Contains("The reason is too long.", cut.Find(".mud-input-error").TextContent));
    }

    [Fact]
    public void Given_the_wallet_changed_meanwhile_When_submitted_Then_the_conflict_message_with_the_new_balance_is_shown()
    {
        CommandResult? completed = null;

        var cut = SubmitAnswered(CommandResult.Conflict(
            "This wallet changed since you opened it: the balance is now 12. Nothing was recorded; check and try again.", 6), completed: r => completed = r);

        cut.WaitForAssertion(() => Assert.Contains("the balance is now 12", cut.Find("#grant-alert").TextContent));
        Assert.Equal(CommandStatus.Conflict, completed?.Status);
        Assert.Equal("5", cut.Find("#grant-amount").GetAttribute("value"));
    }

    [Fact]
    public void Given_a_command_still_running_When_the_button_is_clicked_again_Then_it_is_disabled_and_no_second_command_is_issued()
    {
        RenderProviders();
        WalletCommands.Gate = new TaskCompletionSource();
        var cut = RenderGrant();
        cut.Find("#grant-amount").Input("5");
        cut.Find("#grant-reason").Input("Bonus");

        cut.Find("#grant-submit").Click();
        cut.WaitForAssertion(() => Assert.True(cut.Find("#grant-submit").HasAttribute("disabled")));
        Assert.Contains("Recording", cut.Find("#grant-submit").TextContent);
        // A second click on the busy button (as a fast double click would) must not reach the service.
        try { cut.Find("#grant-submit").Click(); }
        catch (MissingEventHandlerException) { }

        WalletCommands.Gate.SetResult();
        cut.WaitForAssertion(() => Assert.False(cut.Find("#grant-submit").HasAttribute("disabled")));
        Assert.Single(WalletCommands.Issued);
    }

    [Fact]
    public void Given_a_hostile_reason_When_accepted_Then_the_snackbar_shows_it_as_text()
    {
        var snackbars = RenderProviders();
        var cut = RenderGrant();

        Submit(cut, "5", "<script>alert(1)</script>");

        snackbars.WaitForAssertion(() => Assert.Contains("<script>alert(1)</script>", snackbars.Find(".mud-snackbar").TextContent));
        Assert.Empty(snackbars.FindAll(".mud-snackbar script"));
        Assert.Contains("&lt;script&gt;", snackbars.Markup);
    }

    [Fact]
    public void Given_the_user_may_not_grant_When_submitted_Then_the_refusal_is_shown_on_the_form()
    {
        var cut = SubmitAnswered(CommandResult.Forbidden("You do not have the GrantCredits permission needed to do this."));

        cut.WaitForAssertion(() => Assert.Contains("GrantCredits permission", cut.Find("#grant-alert").TextContent));
    }

    [Fact]
    public void Given_a_forbidden_grant_When_the_page_passes_a_new_version_Then_the_alert_stays_until_the_user_edits()
    {
        var cut = SubmitAnswered(CommandResult.Forbidden("You no longer have access: GrantCredits."));
        cut.WaitForAssertion(() => Assert.Contains("You no longer have access", cut.Find("#grant-alert").TextContent));

        // A live refresh of the page hands the form a new version (5, after the 4 it opened at): nothing the user sees changes.
        cut.Render(p => p.Add(x => x.ExpectedVersion, 5L));
        Assert.Contains("You no longer have access", cut.Find("#grant-alert").TextContent);
        Assert.Equal("forbidden", cut.Find("#grant-alert").GetAttribute("data-outcome"));
        Assert.Equal("5", cut.Find("#grant-amount").GetAttribute("value"));
        Assert.Equal("Bonus", cut.Find("#grant-reason").GetAttribute("value"));

        cut.Find("#grant-reason").Input("Bonus, again");
        Assert.Empty(cut.FindAll("#grant-alert"));
    }

    [Fact]
    public void Given_the_database_unavailable_When_granting_Then_the_alert_stays_until_closed_and_the_input_is_kept()
    {
        var cut = SubmitAnswered(new CommandResult(CommandStatus.Unavailable, "The database did not answer; nothing was recorded. Try again in a moment."));
        cut.WaitForAssertion(() => Assert.Equal("unavailable", cut.Find("#grant-alert").GetAttribute("data-outcome")));

        cut.Find("#grant-alert .mud-alert-close button").Click();

        Assert.Empty(cut.FindAll("#grant-alert"));
        Assert.Equal("5", cut.Find("#grant-amount").GetAttribute("value"));
    }

    [Fact]
    public void Given_two_forms_When_one_grant_is_accepted_Then_only_that_form_is_cleared()
    {
        var snackbars = RenderProviders();
        var grant = RenderGrant();
        var spend = Render<SpendCreditsForm>(p => p.Add(x => x.WalletId, _walletId).Add(x => x.ExpectedVersion, 4L));
        spend.Find("#spend-amount").Input("2");
        grant.Find("#grant-amount").Input("5");
        grant.Find("#grant-reason").Input("Bonus");

        grant.Find("#grant-submit").Click();

        snackbars.WaitForAssertion(() => Assert.Contains("Bonus", snackbars.Find(".mud-snackbar").TextContent));
        Assert.True(string.IsNullOrEmpty(grant.Find("#grant-amount").GetAttribute("value")));
        Assert.True(string.IsNullOrEmpty(grant.Find("#grant-reason").GetAttribute("value")));
        Assert.Equal("2", spend.Find("#spend-amount").GetAttribute("value"));
    }
}
