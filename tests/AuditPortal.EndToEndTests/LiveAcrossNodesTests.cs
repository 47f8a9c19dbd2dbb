namespace AuditPortal.EndToEndTests;

/// <summary>
/// Live refresh across two HotCold nodes on one database (<see cref="TwoPortalNodes"/>): whichever node runs the
/// projections, a change made through one node shows on the pages open on the other.
/// </summary>
public class LiveAcrossNodesTests(TwoPortalNodes nodes, ITestOutputHelper output) : IClassFixture<TwoPortalNodes>
{
    [Fact]
    public async Task Given_alice_with_a_wallet_open_on_node_B_When_sam_grants_on_node_A_Then_her_page_shows_it_within_2_seconds()
    {
        var walletId = Guid.CreateVersion7();
        var opened = await nodes.Services.GetRequiredService<WalletService>().OpenAsync(Actor.System("two-nodes"), Guid.CreateVersion7(), walletId, "Across Nodes Ltd");
        Assert.Equal(CommandStatus.Accepted, opened.Status);
        await nodes.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        var alice = await nodes.SignInAtAsync(nodes.NodeB, "alice", $"/wallets/{walletId}");
        var sam = await nodes.SignInAsync("sam", $"/wallets/{walletId}");
        await Assertions.Expect(alice.Locator("#wallet-balance")).ToHaveTextAsync("0");
        await alice.Locator("#spend-reason").FillAsync("Typed on node B");

        await sam.Locator("#grant-amount").FillAsync("9");
        await sam.Locator("#grant-reason").FillAsync("Granted on node A");
        var clicked = Stopwatch.StartNew();
        await sam.Locator("#grant-submit").ClickAsync();

        await Assertions.Expect(alice.Locator("#wallet-balance")).ToHaveTextAsync("9", new LocatorAssertionsToHaveTextOptions { Timeout = 2_000 });
        output.WriteLine($"click on node A to the new balance on node B: {clicked.ElapsedMilliseconds} ms");
        await Assertions.Expect(alice.Locator(".wallet-transaction-actor").First).ToHaveTextAsync("sam");
        await Assertions.Expect(alice.Locator("#spend-reason")).ToHaveValueAsync("Typed on node B");
    }
}
