namespace AuditPortal.IntegrationTests.Projections;

/// <summary>
/// The live-refresh feed on two HotCold nodes of one database: only one node runs the projections, both publish every
/// change to their pages, and only once the read models hold it. The periodic catch-up is set far beyond a test's
/// length, so what arrives came through NOTIFY or through the catch-up after a reconnect.
/// </summary>
public sealed class ReadModelChangeFeedTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly ReadModelChangeFeedSettings FeedSettings = new()
    {
        CatchUpInterval = TimeSpan.FromMinutes(10),
        // Long enough that a grant and its projection finish while the dropped node is still away (checked below).
        ReconnectDelay = TimeSpan.FromSeconds(5),
    };

    private readonly Dictionary<string, IHost> _nodes = [];
    private string _database = "";

    public async Task InitializeAsync()
    {
        _database = await TestCluster.CreateDatabaseAsync(nameof(ReadModelChangeFeedTests));
        foreach (var name in new[] { "node-a", "node-b" })
        {
            var host = await ReliabilityHost.StartAsync(new NpgsqlConnectionStringBuilder(_database) { ApplicationName = name }.ConnectionString, DaemonMode.HotCold,
                configure: s => s.AddReadModelChangeFeed(_ => FeedSettings));
            await host.Services.GetRequiredService<ReadModelChangeFeed>().Listening.WaitAsync(TimeSpan.FromSeconds(30));
            _nodes[name] = host;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _nodes.Values)
        {
            await host.StopAsync();
            host.Dispose();
        }
        await TestCluster.DropDatabaseAsync(_database);
    }

    /// <summary>What one node published for a wallet: when, and the balance its read model showed at that moment.</summary>
    private sealed class Seen : IDisposable
    {
        private readonly IDisposable _subscription;

        public Seen(IHost node, Guid wallet) => _subscription = node.Services.GetRequiredService<ReadModelChanges>().Subscribe(async change =>
        {
            if (!change.ChangesWallet(wallet)) return;
            var at = Stopwatch.GetTimestamp();
            await using var query = node.Services.GetRequiredService<IDocumentStore>().QuerySession();
            var balance = (await query.LoadAsync<WalletSummary>(wallet))?.Balance;
            Balances.Enqueue((at, balance));
        });

        public ConcurrentQueue<(long At, int? Balance)> Balances { get; } = new();

        public async Task<(long At, int? Balance)> BalanceAsync(int balance) =>
            (await Poll.UntilAsync(() => Task.FromResult(Balances.FirstOrDefault(b => b.Balance == balance)), b => b.Balance == balance,
                TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20),
                _ => $"no change with balance {balance} published; seen: {string.Join(", ", Balances.Select(b => b.Balance))}")).Value;

        public void Dispose() => _subscription.Dispose();
    }

    private async Task<Guid> WalletAsync()
    {
        var node = _nodes["node-a"];
        await ReliabilityHost.GrantPersonaAsync(node, "alice", Personas.Support);
        var id = (await ReliabilityHost.OpenWalletsAsync(node.Services.GetRequiredService<WalletService>(), ReliabilityHost.Actor("alice"), 1))[0];
        await node.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        return id;
    }

    private Task GrantAsync(string node, Guid wallet, int amount) =>
        _nodes[node].Services.GetRequiredService<WalletService>().GrantAsync(ReliabilityHost.Actor("alice"), Guid.CreateVersion7(), wallet, amount, "feed test", null)
            .ContinueWith(t => Assert.True(t.Result.Succeeded, t.Result.Message));

    [Fact]
    public async Task Given_two_HotCold_nodes_When_a_wallet_changes_on_one_Then_both_publish_it_once_their_read_model_shows_it()
    {
        var wallet = await WalletAsync();
        using var onA = new Seen(_nodes["node-a"], wallet);
        using var onB = new Seen(_nodes["node-b"], wallet);

        var committed = Stopwatch.GetTimestamp();
        await GrantAsync("node-b", wallet, 9);

        var a = await onA.BalanceAsync(9);
        var b = await onB.BalanceAsync(9);
        // Published only after the read model holds the change: no earlier notification showed the old balance.
        Assert.All(onA.Balances.Concat(onB.Balances), seen => Assert.Equal(9, seen.Balance));
        output.WriteLine($"commit to publication: node-a {Stopwatch.GetElapsedTime(committed, a.At).TotalMilliseconds:N0} ms, " +
                         $"node-b {Stopwatch.GetElapsedTime(committed, b.At).TotalMilliseconds:N0} ms");
    }

    [Fact]
    public async Task Given_a_node_whose_listen_connection_was_dropped_When_a_change_commits_meanwhile_Then_the_node_publishes_it_after_reconnecting()
    {
        var wallet = await WalletAsync();
        var feed = _nodes["node-b"].Services.GetRequiredService<ReadModelChangeFeed>();
        using var onB = new Seen(_nodes["node-b"], wallet);
        var dropped = feed.ListenerProcessId;

        Assert.True(dropped > 0);
        Assert.Equal(1, await ReliabilityHost.ScalarAsync(_database, $"select pg_terminate_backend({dropped})::int"));
        await Poll.UntilAsync(() => feed.ListenerProcessId == 0, TimeSpan.FromSeconds(10));
        await GrantAsync("node-a", wallet, 7);
        await _nodes["node-a"].Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        // The notification of this change went out while node-b was not listening: it can only come from the catch-up.
        Assert.True(feed.ListenerProcessId == 0, "node-b reconnected before the change was projected; the test did not drop a notification");

        var seen = await onB.BalanceAsync(7);
        Assert.NotEqual(dropped, feed.ListenerProcessId);
        Assert.Equal(1, feed.Reconnects);

        // And it listens again: the next change comes through NOTIFY.
        await GrantAsync("node-a", wallet, 1);
        await onB.BalanceAsync(8);
        output.WriteLine($"caught up after the reconnect; {onB.Balances.Count} publications for the wallet");
    }
}
