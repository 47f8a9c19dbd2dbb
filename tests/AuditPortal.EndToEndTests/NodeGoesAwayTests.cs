namespace AuditPortal.EndToEndTests;

/// <summary>
/// Two HotCold nodes behind one address (<see cref="FrontDoor"/>), sharing the database and the data-protection keys.
/// Node A is this fixture's server (in this process) and stays; node B is a process of its own, started for a test,
/// serves the pages under test and goes away: SIGTERM as in a deploy, or SIGKILL.
/// </summary>
public sealed class NodesBehindFrontDoor : PortalServer, IAsyncLifetime
{
    private readonly string _keys = Directory.CreateTempSubdirectory("auditportal-keys-").FullName;

    public FrontDoor Door { get; private set; } = null!;
    public PortalNodeProcess? NodeB { get; private set; }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["DataProtection:KeyDirectory"] = _keys,
        ["Projections:DaemonMode"] = "HotCold",
    };

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Door = new FrontDoor(BaseUrl);
    }

    /// <summary>Starts node B and has the front door send new connections to it.</summary>
    public async Task StartNodeBAsync()
    {
        NodeB = await PortalNodeProcess.StartAsync(ConnectionString, Settings);
        Door.RouteTo(NodeB.BaseUrl);
    }

    /// <summary>Takes node B out of rotation (new connections go to node A), as a balancer does before or when a node goes.</summary>
    public void RouteToNodeA() => Door.RouteTo(BaseUrl);

    public new async Task DisposeAsync()
    {
        await Door.DisposeAsync();
        if (NodeB is not null) await NodeB.DisposeAsync();
        await base.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }
}

public class NodeGoesAwayTests(NodesBehindFrontDoor nodes, ITestOutputHelper output) : IClassFixture<NodesBehindFrontDoor>
{
    private async Task<Guid> WalletAsync(string owner)
    {
        var walletId = Guid.CreateVersion7();
        Assert.Equal(CommandStatus.Accepted,
            (await nodes.Services.GetRequiredService<WalletService>().OpenAsync(Actor.System("node-test"), Guid.CreateVersion7(), walletId, owner)).Status);
        await nodes.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        return walletId;
    }

    private int CircuitsOnNodeA => nodes.Services.GetRequiredService<CircuitHandoff>().OpenCircuits;

    [Fact]
    public async Task Given_alice_typing_on_node_B_When_node_B_gets_SIGTERM_Then_her_pages_resume_on_node_A_with_filters_and_typed_text()
    {
        var walletId = await WalletAsync("Deploy Day Ltd");
        await nodes.StartNodeBAsync();
        var onA = CircuitsOnNodeA;
        var alice = await nodes.SignInAtAsync(nodes.Door.Url, "alice", $"/wallets/{walletId}");
        await Assertions.Expect(alice.Locator("#wallet-balance")).ToHaveTextAsync("0");
        // Her second tab: the wallet list, filtered by owner (the filter lives in the address).
        var list = await alice.Context.NewPageAsync();
        await list.GotoAsync($"{nodes.Door.Url}/wallets?owner=Deploy%20Day");
        await list.Locator("[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(list.Locator("#wallet-owner-filter")).ToHaveValueAsync("Deploy Day");
        Assert.Equal(onA, CircuitsOnNodeA);

        await alice.Locator("#grant-amount").FillAsync("4");
        await alice.Locator("#grant-reason").FillAsync("Typed before the deploy");
        // A reload would clear these markers: the pages must resume, not load again.
        await alice.EvaluateAsync("() => window.__sameDocument = true");
        await list.EvaluateAsync("() => window.__sameDocument = true");

        nodes.RouteToNodeA();
        var stopping = Stopwatch.StartNew();
        nodes.NodeB!.Terminate();
        Assert.True(await nodes.NodeB.WaitForExitAsync(TimeSpan.FromSeconds(30)), "node B did not stop after SIGTERM");
        output.WriteLine($"node B stopped {stopping.ElapsedMilliseconds} ms after SIGTERM:\n{nodes.NodeB.Output}");
        Assert.Contains("handed 2 of 2 open pages over", nodes.NodeB.Output);

        // The resumed wallet page works on node A: the text she typed on node B is sent from there.
        await alice.Locator("#grant-submit").ClickAsync();
        await Assertions.Expect(alice.Locator(".mud-snackbar")).ToContainTextAsync("Typed before the deploy");
        await Assertions.Expect(alice.Locator("#wallet-balance")).ToHaveTextAsync("4");
        Assert.True(await alice.EvaluateAsync<bool>("() => window.__sameDocument === true"));
        await Assertions.Expect(alice.Locator("#components-reconnect-modal")).ToBeHiddenAsync();

        // The list resumed with its filter, and is live on node A.
        await Assertions.Expect(list.Locator("#wallet-owner-filter")).ToHaveValueAsync("Deploy Day");
        Assert.Contains("owner=Deploy", list.Url, StringComparison.Ordinal);
        Assert.True(await list.EvaluateAsync<bool>("() => window.__sameDocument === true"));
        await Poll.UntilAsync(() => CircuitsOnNodeA == onA + 2, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Given_an_accepted_grant_on_node_B_When_node_B_is_killed_Then_the_page_says_what_was_kept_and_the_grant_is_in_the_stream()
    {
        var walletId = await WalletAsync("Sudden Stop GmbH");
        await nodes.StartNodeBAsync();
        var alice = await nodes.SignInAtAsync(nodes.Door.Url, "alice", $"/wallets/{walletId}");
        await alice.Locator("#grant-amount").FillAsync("3");
        await alice.Locator("#grant-reason").FillAsync("Accepted before the crash");
        await alice.Locator("#grant-submit").ClickAsync();
        await Assertions.Expect(alice.Locator(".mud-snackbar")).ToContainTextAsync("Accepted before the crash");
        await alice.Locator("#spend-amount").FillAsync("2");

        // kill -9: no hand-over; the balancer sends the page's reconnection to node A, which does not know its circuit.
        nodes.RouteToNodeA();
        nodes.NodeB!.Kill();
        Assert.True(await nodes.NodeB.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var lost = alice.Locator("#reconnect-lost");
        await Assertions.Expect(lost).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
        await Assertions.Expect(lost).ToContainTextAsync("Everything the portal confirmed as accepted is saved; text you had typed but not sent on this page is lost.");

        await using (var session = nodes.Services.GetRequiredService<IDocumentStore>().QuerySession())
        {
            var events = await session.Events.FetchStreamAsync(walletId);
            Assert.Contains(events, e => e.Data is CreditsGranted { Amount: 3 } granted && granted.Reason == "Accepted before the crash");
        }

        await alice.Locator("#reconnect-reload").ClickAsync();
        await alice.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        await Assertions.Expect(alice.Locator("#wallet-balance")).ToHaveTextAsync("3");
        await Assertions.Expect(alice.Locator("#spend-amount")).ToHaveValueAsync("");
    }
}
