using AuditPortal.Core.Projections;
using AuditPortal.IntegrationTests.Reliability;
using JasperFx.Events.Daemon;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AuditPortal.IntegrationTests.Projections;

/// <summary>
/// The cached "is a previous version serving?" (<see cref="PreviousVersionCache"/>) on a node that keeps running while
/// another node starts an upgrade and switches. The feed's periodic catch-up is set far beyond a test's length, so the
/// cached "no" would stand for the whole test unless the upgrade's and the switch's notices reach the node.
/// </summary>
public sealed class PreviousVersionCacheTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly ReadModelChangeFeedSettings FeedSettings = new()
    {
        CatchUpInterval = TimeSpan.FromMinutes(10),
        ReconnectDelay = TimeSpan.FromSeconds(5),
    };

    private string _database = "";
    private IHost _nodeB = null!;

    public async Task InitializeAsync()
    {
        _database = await TestCluster.CreateDatabaseAsync(nameof(PreviousVersionCacheTests));
        // Node B reads and never builds (another node holds the projections), as a second web node does.
        _nodeB = await ReliabilityHost.StartAsync(_database, DaemonMode.Disabled, configure: s => s.AddReadModelChangeFeed(_ => FeedSettings));
        await _nodeB.Services.GetRequiredService<ReadModelChangeFeed>().Listening.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await _nodeB.StopAsync();
        _nodeB.Dispose();
        await TestCluster.DropDatabaseAsync(_database);
    }

    private IDocumentStore StoreB => _nodeB.Services.GetRequiredService<IDocumentStore>();

    private WalletQueries ListB => new(StoreB, _nodeB.Services.GetRequiredService<PreviousReadModels>(), new FixedActor(ReliabilityHost.Actor("alice")));

    /// <summary>Node B's wallet list sorted by balance: the three wallets' 5, 6, 7 whichever version it reads.</summary>
    private async Task<WalletListPage> BalancesOnBAsync()
    {
        var page = await ListB.ListAsync(new WalletListQuery(SortBy: nameof(WalletSummary.Balance)));
        Assert.Equal([5, 6, 7], page.Items.Select(x => x.Balance));
        return page;
    }

    /// <summary>Three wallets granted 5, 6, 7 by a node that builds the read models, which then stops.</summary>
    private async Task BuildAsync()
    {
        using var builder = await ReliabilityHost.StartAsync(_database, DaemonMode.Solo);
        await ReliabilityHost.GrantPersonaAsync(builder, "alice", Personas.Support);
        var wallets = builder.Services.GetRequiredService<WalletService>();
        var alice = ReliabilityHost.Actor("alice");
        var ids = await ReliabilityHost.OpenWalletsAsync(wallets, alice, 3);
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
            Assert.True((await wallets.GrantAsync(alice, Guid.CreateVersion7(), id, 5 + i, "welcome", null)).Succeeded);
        await builder.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        await builder.StopAsync();
    }

    /// <summary>Completes when node B's feed publishes "everything changed" (what it does on a version notice).</summary>
    private Task EverythingOnBAsync()
    {
        var published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = _nodeB.Services.GetRequiredService<ReadModelChanges>().Subscribe(change =>
        {
            if (change.All) published.TrySetResult();
            return Task.CompletedTask;
        });
        return published.Task.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(t => { subscription.Dispose(); t.GetAwaiter().GetResult(); });
    }

    [Fact]
    public async Task Given_a_running_node_with_the_answer_cached_When_another_node_starts_an_upgrade_and_then_switches_Then_its_lists_follow_both_without_a_restart()
    {
        await BuildAsync();
        var cache = PreviousVersionCache.For(StoreB);
        Assert.Null((await BalancesOnBAsync()).Previous);
        // Cached: node B's next lists read no catalog.
        Assert.False(cache.Known);

        // Node A starts with a changed read model (WalletSummary without its duplicated Balance column): its apply step
        // moves the read models aside and creates empty new tables; its daemon does not build, so the upgrade stays open.
        await ReliabilityHost.ScalarAsync(_database, "alter table auditportal.mt_doc_walletsummary drop column balance; select 0");
        var upgradeNotice = EverythingOnBAsync();
        using (var nodeA = await ReliabilityHost.StartAsync(_database, DaemonMode.Disabled))
        {
            Assert.Equal(ReadModelUpgrade.Serving, await ReadModelUpgrade.StateAsync(_database, "auditportal"));
            await upgradeNotice;
            Assert.NotNull((await BalancesOnBAsync()).Previous);
            Assert.True(cache.Known);
            await nodeA.StopAsync();
        }

        // A builder catches up and node A's switch drops the previous version: node B reads the new one at once.
        using (var builder = await ReliabilityHost.StartAsync(_database, DaemonMode.Solo))
        {
            var builderStore = builder.Services.GetRequiredService<IDocumentStore>();
            await builderStore.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
            Assert.NotNull((await ListB.ListAsync(new WalletListQuery())).Previous);
            var switchNotice = EverythingOnBAsync();
            Assert.True(await ReadModelUpgrade.SwitchWhenCaughtUpAsync(builderStore, _database, TimeSpan.FromMilliseconds(200), dropPrevious: true));
            await switchNotice;
            Assert.Null((await BalancesOnBAsync()).Previous);
            Assert.False(cache.Known);
            await builder.StopAsync();
        }
    }

    [Fact]
    public async Task Given_a_node_whose_feed_lost_its_connection_When_an_upgrade_starts_meanwhile_Then_its_lists_probe_and_read_the_previous_version()
    {
        await BuildAsync();
        var cache = PreviousVersionCache.For(StoreB);
        Assert.Null((await ListB.ListAsync(new WalletListQuery())).Previous);
        Assert.False(cache.Known);

        var feed = _nodeB.Services.GetRequiredService<ReadModelChangeFeed>();
        var dropped = feed.ListenerProcessId;
        Assert.Equal(1, await ReliabilityHost.ScalarAsync(_database, $"select pg_terminate_backend({dropped})::int"));
        await Poll.UntilAsync(() => feed.ListenerProcessId == 0, TimeSpan.FromSeconds(10));
        // Not listening: nothing cached is trusted.
        Assert.Null(cache.Known);

        // The upgrade's notice goes out while node B does not listen.
        await ReadModelUpgrade.MoveAsideAsync(_database, "auditportal");
        Assert.True(feed.ListenerProcessId == 0, "node B reconnected before the upgrade; the test did not lose the notice");
        Assert.NotNull((await BalancesOnBAsync()).Previous);
        Assert.Null(cache.Known);

        // Listening again: the answer is probed once more and cached.
        await Poll.UntilAsync(() => feed.ListenerProcessId != 0, TimeSpan.FromSeconds(30));
        Assert.NotNull((await ListB.ListAsync(new WalletListQuery())).Previous);
        Assert.True(cache.Known);
        output.WriteLine($"feed reconnected {feed.Reconnects} time(s)");
    }
}
