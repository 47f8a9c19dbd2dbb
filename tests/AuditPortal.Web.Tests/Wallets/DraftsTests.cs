namespace AuditPortal.Web.Tests.Wallets;

/// <summary>
/// Text typed but not sent travels with the circuit's persisted state (DraftKeeper): a pause saves it, a resume (on any
/// node) shows it again in the form it was typed in.
/// </summary>
public class DraftsTests : PageTestContext
{
    private const string Key = "auditportal-drafts";
    private readonly Guid _walletId = Guid.CreateVersion7();

    private IRenderedComponent<GrantCreditsForm> RenderGrant() =>
        Render<GrantCreditsForm>(p => p.Add(x => x.WalletId, _walletId).Add(x => x.ExpectedVersion, 1));

    [Fact]
    public void Given_text_typed_in_the_grant_form_When_the_circuit_is_paused_Then_the_persisted_state_holds_it()
    {
        Render<DraftKeeper>();
        var cut = RenderGrant();
        cut.Find("#grant-amount").Input("4");
        cut.Find("#grant-reason").Input("Typed before the deploy");

        PersistentState.TriggerOnPersisting();

        Assert.True(PersistentState.TryTake<Dictionary<string, string>>(Key, out var drafts));
        Assert.Equal("4", drafts![$"wallet/{_walletId}/grant/amount"]);
        Assert.Equal("Typed before the deploy", drafts[$"wallet/{_walletId}/grant/reason"]);
    }

    [Fact]
    public void Given_persisted_drafts_When_the_page_resumes_Then_the_form_shows_them_and_sends_them()
    {
        RenderProviders();
        PersistentState.Persist(Key, new Dictionary<string, string>
        {
            [$"wallet/{_walletId}/grant/amount"] = "4",
            [$"wallet/{_walletId}/grant/reason"] = "Typed before the deploy",
        });
        Render<DraftKeeper>();
        var cut = RenderGrant();

        Assert.Equal("4", cut.Find("#grant-amount").GetAttribute("value"));
        Assert.Equal("Typed before the deploy", cut.Find("#grant-reason").TextContent);
        cut.Find("#grant-submit").Click();
        cut.WaitForAssertion(() => Assert.Equal(("grant", 4, "Typed before the deploy"), (WalletCommands.Issued.Single().Kind, WalletCommands.Issued.Single().Amount, WalletCommands.Issued.Single().Reason)));
    }

    [Fact]
    public void Given_a_grant_that_was_accepted_When_the_circuit_is_paused_Then_its_text_is_no_longer_a_draft()
    {
        RenderProviders();
        Render<DraftKeeper>();
        var cut = RenderGrant();
        cut.Find("#grant-amount").Input("4");
        cut.Find("#grant-reason").Input("Sent");
        cut.Find("#grant-submit").Click();
        cut.WaitForAssertion(() => Assert.Single(WalletCommands.Issued));

        PersistentState.TriggerOnPersisting();

        Assert.True(PersistentState.TryTake<Dictionary<string, string>>(Key, out var drafts));
        Assert.Empty(drafts!);
    }
}
