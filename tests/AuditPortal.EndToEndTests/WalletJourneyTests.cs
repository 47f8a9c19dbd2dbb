// Two PortalServer fixtures starting at once raced inside WebApplicationFactory (one host came up on the default
// port 5000 instead of the requested free port): browser test classes run one after the other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace AuditPortal.EndToEndTests;

public class WalletJourneyTests(PortalServer server) : IClassFixture<PortalServer>
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 15_000 };

    [Fact]
    public async Task Given_support_When_granting_5_and_spending_3_through_the_forms_Then_balance_and_history_update_live()
    {
        var store = server.Services.GetRequiredService<IDocumentStore>();
        var walletId = Guid.CreateVersion7();
        var opened = await server.Services.GetRequiredService<WalletService>()
            .OpenAsync(Actor.System("journey-test"), Guid.CreateVersion7(), walletId, "Journey & Co <shop>");
        Assert.Equal(CommandStatus.Accepted, opened.Status);
        // The portal ACL (bootstrap admin) and the new wallet must be in the read models before the page acts on them.
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        // alice is the Development demo support account.
        var page = await server.SignInAsync("alice", $"/wallets/{walletId}");
        await Assertions.Expect(page.Locator("#wallet-owner")).ToHaveTextAsync("Journey & Co <shop>");
        await Assertions.Expect(page.Locator("#wallet-balance")).ToHaveTextAsync("0");

        await page.SubmitWalletFormAsync("grant", "5", "Welcome credits");
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Welcome credits");
        await Assertions.Expect(page.Locator("#wallet-balance")).ToHaveTextAsync("5", Soon);
        await Assertions.Expect(page.Locator("#grant-amount")).ToHaveValueAsync("");
        await Assertions.Expect(page.Locator("#grant-form .mud-input-error")).ToHaveCountAsync(0);

        await page.SubmitWalletFormAsync("spend", "3", "Monthly fee");
        await Assertions.Expect(page.Locator("#wallet-balance")).ToHaveTextAsync("2", Soon);

        var rows = page.Locator(".wallet-transaction");
        await Assertions.Expect(rows).ToHaveCountAsync(2, new LocatorAssertionsToHaveCountOptions { Timeout = 15_000 });
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("Spent 3 credits");
        await Assertions.Expect(rows.Nth(0).Locator(".wallet-transaction-reason")).ToHaveTextAsync("Monthly fee");
        await Assertions.Expect(rows.Nth(0).Locator(".wallet-transaction-actor")).ToHaveTextAsync("alice");
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("Granted 5 credits");
        await Assertions.Expect(rows.Nth(1).Locator(".wallet-transaction-actor")).ToHaveTextAsync("alice");
        await Assertions.Expect(page.Locator("#wallet-version")).ToHaveTextAsync("3");
        await PortalServer.ScreenshotAsync(page, "wallet-journey");

        // State as of the spend: the wallet folded up to version 3, with the balance going from 5 to 2.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Event stream" }).ClickAsync();
        var spend = page.Locator(".timeline-event[data-version='3']");
        await Assertions.Expect(spend.Locator(".timeline-summary")).ToContainTextAsync("alice spent 3 credits");
        await spend.Locator(".timeline-toggle-state").ClickAsync();
        var balance = spend.Locator(".audit-diff tr").Filter(new() { HasText = "balance" });
        await Assertions.Expect(balance.Locator(".audit-before")).ToHaveTextAsync("5");
        await Assertions.Expect(balance.Locator(".audit-after")).ToHaveTextAsync("2");
        await PortalServer.ScreenshotAsync(page, "wallet-state-as-of");
    }

    [Fact]
    public async Task Given_an_open_wallet_list_When_a_wallet_is_opened_elsewhere_Then_it_appears_without_reload()
    {
        var store = server.Services.GetRequiredService<IDocumentStore>();
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var owner = $"Live list {Guid.NewGuid():N}";
        var page = await server.OpenAsync("/wallets");
        await page.Locator("#wallet-owner-filter").FillAsync(owner);
        await Assertions.Expect(page.Locator("#wallet-grid-empty")).ToBeVisibleAsync();

        var opened = await server.Services.GetRequiredService<WalletService>()
            .OpenAsync(Actor.System("journey-test"), Guid.CreateVersion7(), Guid.CreateVersion7(), owner);
        Assert.Equal(CommandStatus.Accepted, opened.Status);

        await Assertions.Expect(page.Locator(".wallet-link")).ToHaveTextAsync(owner, Soon);
        await PortalServer.ScreenshotAsync(page, "wallet-list-live");
    }

    /// <summary>A wallet with the given balance, in the read models before a page opens it.</summary>
    private async Task<Guid> WalletWithBalanceAsync(string owner, int balance)
    {
        var wallets = server.Services.GetRequiredService<WalletService>();
        var system = Actor.System("journey-test");
        var walletId = Guid.CreateVersion7();
        Assert.Equal(CommandStatus.Accepted, (await wallets.OpenAsync(system, Guid.CreateVersion7(), walletId, owner)).Status);
        if (balance > 0)
            Assert.Equal(CommandStatus.Accepted, (await wallets.GrantAsync(system, Guid.CreateVersion7(), walletId, balance, "Opening balance", null)).Status);
        await server.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        return walletId;
    }

    /// <summary>A new wallet with the given balance, open in alice's browser once her page shows that balance.</summary>
    private async Task<(Guid WalletId, IPage Page)> AliceOnWalletAsync(string owner, int balance)
    {
        var walletId = await WalletWithBalanceAsync(owner, balance);
        var page = await server.SignInAsync("alice", $"/wallets/{walletId}");
        await Assertions.Expect(page.Locator("#wallet-balance")).ToHaveTextAsync(balance.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        return (walletId, page);
    }

    [Fact]
    public async Task Given_a_balance_of_22_When_alice_spends_999999_Then_the_refusal_stays_beside_the_amount_the_input_is_kept_and_the_balance_is_unchanged()
    {
        var (walletId, page) = await AliceOnWalletAsync("Overspend Ltd", 22);

        await page.SubmitWalletFormAsync("spend", "999999", "Big purchase");

        var error = page.Locator("#spend-form .mud-input-helper-text.mud-input-error");
        await Assertions.Expect(error).ToContainTextAsync("Not enough credits");
        await page.ExpectWalletFormInputAsync("spend", "999999", "Big purchase");
        await Assertions.Expect(page.Locator("#wallet-balance")).ToHaveTextAsync("22");
        await PortalServer.ScreenshotAsync(page, "wallet-overspend");

        // The page refreshes when anything else changes the wallet: the refusal and the input are still there.
        var granted = await server.Services.GetRequiredService<WalletService>()
            .GrantAsync(Actor.System("journey-test"), Guid.CreateVersion7(), walletId, 1, "Meanwhile", null);
        Assert.Equal(CommandStatus.Accepted, granted.Status);
        await Assertions.Expect(page.Locator("#wallet-balance")).ToHaveTextAsync("23", Soon);
        await Assertions.Expect(error).ToContainTextAsync("Not enough credits");
        await page.ExpectWalletFormInputAsync("spend", "999999", "Big purchase");

        // Editing the amount answers the refusal: the message goes, nothing was recorded.
        await page.Locator("#spend-amount").FillAsync("99999");
        await Assertions.Expect(error).ToHaveCountAsync(0);
        await using var query = server.Services.GetRequiredService<IDocumentStore>().QuerySession();
        Assert.Equal(3, (await query.Events.FetchStreamStateAsync(walletId))!.Version);
    }

    [Fact]
    public async Task Given_alice_typing_a_spend_When_sam_grants_to_the_same_wallet_in_another_browser_Then_her_input_survives_and_her_balance_updates()
    {
        var walletId = await WalletWithBalanceAsync("Two Desks GmbH", 10);
        var alice = await server.SignInAsync("alice", $"/wallets/{walletId}");
        var sam = await server.SignInAsync("sam", $"/wallets/{walletId}");
        await Assertions.Expect(alice.Locator("#wallet-balance")).ToHaveTextAsync("10");
        await Assertions.Expect(sam.Locator("#wallet-balance")).ToHaveTextAsync("10");

        await alice.Locator("#spend-amount").FillAsync("4");
        await alice.Locator("#spend-reason").FillAsync("Typed before sam's grant");

        await sam.SubmitWalletFormAsync("grant", "1", "One more from sam");
        await Assertions.Expect(sam.Locator(".mud-snackbar")).ToContainTextAsync("One more from sam");

        // alice's page refreshes live with sam's grant; what she typed is still in the form.
        await Assertions.Expect(alice.Locator("#wallet-balance")).ToHaveTextAsync("11", Soon);
        await Assertions.Expect(alice.Locator(".wallet-transaction-actor").First).ToHaveTextAsync("sam");
        await alice.ExpectWalletFormInputAsync("spend", "4", "Typed before sam's grant");
        await PortalServer.ScreenshotAsync(alice, "wallet-typing-survives");

        // ...and on the server too: submitting it spends from the balance she now sees.
        await alice.Locator("#spend-submit").ClickAsync();
        await Assertions.Expect(alice.Locator(".mud-snackbar")).ToContainTextAsync("Typed before sam's grant");
        await Assertions.Expect(alice.Locator("#wallet-balance")).ToHaveTextAsync("7", Soon);
        await Assertions.Expect(sam.Locator("#wallet-balance")).ToHaveTextAsync("7", Soon);
    }

    [Fact]
    public async Task Given_an_accepted_grant_When_alice_spends_immediately_after_its_message_Then_the_spend_is_accepted_too()
    {
        var (_, page) = await AliceOnWalletAsync("Quick Hands", 0);

        await page.SubmitWalletFormAsync("grant", "5", "Grant first");
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Grant first");
        // No wait for the balance or the page's refresh: the spend form takes the new version from the grant.
        await page.SubmitWalletFormAsync("spend", "3", "Spend right after");

        await Assertions.Expect(page.Locator(".mud-snackbar").Filter(new() { HasText = "Spend right after" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#spend-alert")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#wallet-balance")).ToHaveTextAsync("2", Soon);
        await Assertions.Expect(page.Locator("#spend-amount")).ToHaveValueAsync("");
        await Assertions.Expect(page.Locator("#grant-amount")).ToHaveValueAsync("");
    }

    [Fact]
    public async Task Given_a_change_the_page_has_not_seen_When_alice_spends_Then_the_conflict_shows_the_new_balance_keeps_the_input_and_the_new_version_can_be_used()
    {
        var (walletId, page) = await AliceOnWalletAsync("Slow Mirror", 10);
        await Assertions.Expect(page.Locator("#wallet-version")).ToHaveTextAsync("2");

        // Hold the read models' writes, not the event store: a transaction with a SHARE lock on the wallet summaries
        // (what the page shows) blocks the daemon's next batch, so sam's grant is recorded but not yet on alice's page.
        // Stopping the daemon's agent was not enough: Marten's coordinator restarts a stopped agent on its health check.
        await using var hold = new Npgsql.NpgsqlConnection(server.ConnectionString);
        await hold.OpenAsync();
        var holding = await hold.BeginTransactionAsync();
        await new Npgsql.NpgsqlCommand("lock table auditportal.mt_doc_walletsummary in share mode", hold, holding).ExecuteNonQueryAsync();
        try
        {
            var granted = await server.Services.GetRequiredService<WalletService>()
                .GrantAsync(new Actor("sam", Guid.CreateVersion7().ToString()), Guid.CreateVersion7(), walletId, 5, "Unseen grant", null);
            Assert.Equal(CommandStatus.Accepted, granted.Status);

            await page.SubmitWalletFormAsync("spend", "12", "Needs the new balance");

            var alert = page.Locator("#spend-alert");
            await Assertions.Expect(alert).ToContainTextAsync("the balance is now 15");
            await page.ExpectWalletFormInputAsync("spend", "12", "Needs the new balance");
            await PortalServer.ScreenshotAsync(page, "wallet-conflict");

            await page.Locator("#spend-adopt").ClickAsync();
            await Assertions.Expect(alert).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#spend-amount")).ToHaveValueAsync("12");
            await page.Locator("#spend-submit").ClickAsync();
            await Assertions.Expect(page.Locator(".mud-snackbar").Filter(new() { HasText = "Needs the new balance" })).ToHaveCountAsync(1);
        }
        finally
        {
            await holding.RollbackAsync();
        }
        await Assertions.Expect(page.Locator("#wallet-balance")).ToHaveTextAsync("3", Soon);
    }
}
