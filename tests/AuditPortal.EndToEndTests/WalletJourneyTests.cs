using AuditPortal.Core.Common;
using AuditPortal.Core.Wallets;
using AuditPortal.EndToEndTests.Infrastructure;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

// Two PortalServer fixtures starting at once raced inside WebApplicationFactory (one host came up on the default
// port 5000 instead of the requested free port): browser test classes run one after the other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace AuditPortal.EndToEndTests;

public class WalletJourneyTests(PortalServer server) : IClassFixture<PortalServer>
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 15_000 };

    [Fact]
    public async Task Support_grants_5_and_spends_3_through_the_forms_and_sees_balance_and_history_update_live()
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

        await page.Locator("#grant-amount").FillAsync("5");
        await page.Locator("#grant-reason").FillAsync("Welcome credits");
        await page.Locator("#grant-submit").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Welcome credits");
        await Assertions.Expect(page.Locator("#wallet-balance")).ToHaveTextAsync("5", Soon);
        await Assertions.Expect(page.Locator("#grant-amount")).ToHaveValueAsync("");
        await Assertions.Expect(page.Locator("#grant-form .mud-input-error")).ToHaveCountAsync(0);

        await page.Locator("#spend-amount").FillAsync("3");
        await page.Locator("#spend-reason").FillAsync("Monthly fee");
        await page.Locator("#spend-submit").ClickAsync();
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
    public async Task A_wallet_opened_elsewhere_appears_in_the_open_list_without_reload()
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
}
