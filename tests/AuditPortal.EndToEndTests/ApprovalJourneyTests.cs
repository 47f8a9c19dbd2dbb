using AuditPortal.Core.Approvals;

namespace AuditPortal.EndToEndTests;

/// <summary>Four eyes in the browser: two signed-in users in two browser contexts, with the default policy (grants above 1,000 wait).</summary>
public class ApprovalJourneyTests(PortalServer server) : IClassFixture<PortalServer>
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 15_000 };

    [Fact]
    public async Task Given_alice_asks_for_5000_credits_When_she_cannot_approve_her_own_and_sam_approves_Then_her_open_wallet_page_shows_the_new_balance_and_the_approval()
    {
        var walletId = Guid.CreateVersion7();
        var wallets = server.Services.GetRequiredService<WalletService>();
        var system = Actor.System("journey-test");
        Assert.True((await wallets.OpenAsync(system, Guid.CreateVersion7(), walletId, "Outage Ltd")).Succeeded);
        Assert.True((await wallets.GrantAsync(system, Guid.CreateVersion7(), walletId, 100, "Opening balance", null)).Succeeded);
        await server.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        // alice (support) asks: above the threshold the grant becomes a request, and the balance does not move.
        var alice = await server.SignInAsync("alice", $"/wallets/{walletId}");
        await Assertions.Expect(alice.Locator("#wallet-balance")).ToHaveTextAsync("100");
        await alice.SubmitWalletFormAsync("grant", "5000", "Refund of the outage");
        await Assertions.Expect(alice.Locator(".mud-snackbar")).ToContainTextAsync("waits for approval");
        var request = alice.Locator(".target-approval");
        await Assertions.Expect(request).ToHaveAttributeAsync("data-status", "Pending", new() { Timeout = 15_000 });
        await Assertions.Expect(alice.Locator("#wallet-balance")).ToHaveTextAsync("100");
        var requestId = Guid.Parse((await request.GetAttributeAsync("data-id"))!);

        // She cannot approve her own: her list offers only "withdraw", and the service refuses her under any spelling.
        var aliceList = await alice.Context.NewPageAsync();
        await aliceList.GotoAsync($"{server.BaseUrl}/approvals?show=mine");
        await aliceList.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(aliceList.Locator($"#withdraw-{requestId}")).ToBeVisibleAsync();
        await Assertions.Expect(aliceList.Locator($"#approve-{requestId}")).ToHaveCountAsync(0);
        var own = await server.Services.GetRequiredService<ApprovalService>().ApproveAsync(new Actor("ALICE", Guid.CreateVersion7().ToString()), Guid.CreateVersion7(), requestId, "", null);
        Assert.NotEqual(CommandStatus.Accepted, own.Status);
        await aliceList.CloseAsync();

        // sam (senior support, may approve) sees it counted in the menu and approves it in another browser context.
        var sam = await server.SignInAsync("sam", "/approvals");
        await Assertions.Expect(sam.Locator("#approvals-waiting")).ToHaveTextAsync("1", Soon);
        var row = sam.Locator($".approval-row[data-id='{requestId}']");
        await Assertions.Expect(row.Locator(".approval-requester")).ToHaveTextAsync("alice");
        await Assertions.Expect(row.Locator(".approval-change")).ToHaveTextAsync("grant 5,000 credits");
        await sam.Locator($"#approval-note-{requestId}").FillAsync("Outage ticket checked");
        await sam.Locator($"#approve-{requestId}").ClickAsync();
        await Assertions.Expect(sam.Locator("#approval-outcome")).ToContainTextAsync("Approved alice's request", new() { Timeout = 15_000 });

        // alice's wallet page, open all along, shows the outcome without a reload.
        await Assertions.Expect(alice.Locator("#wallet-balance")).ToHaveTextAsync("5,100", Soon);
        await Assertions.Expect(request).ToHaveAttributeAsync("data-status", "Approved", new() { Timeout = 15_000 });
        await Assertions.Expect(request.Locator(".target-approval-decided-by")).ToHaveTextAsync("sam");
        await Assertions.Expect(alice.Locator(".wallet-transaction").First).ToContainTextAsync("Granted 5,000 credits", new() { Timeout = 15_000 });
        await PortalServer.ScreenshotAsync(sam, "approvals-page");
        await PortalServer.ScreenshotAsync(alice, "approval-on-wallet");

        // Request, approval and grant are one operation in the audit trail: the same correlation id.
        await using var query = server.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var correlations = (await query.Events.FetchStreamAsync(requestId)).Select(e => e.CorrelationId)
            .Append((await query.Events.FetchStreamAsync(walletId)).Last().CorrelationId).Distinct().ToList();
        Assert.Single(correlations);
    }
}
