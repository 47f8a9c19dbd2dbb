namespace AuditPortal.IntegrationTests.Reliability;

/// <summary>Two portal nodes on one database with DaemonMode.HotCold: one runs the projections, the other takes over when it stops.</summary>
public sealed class SecondNodeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly Dictionary<string, IHost> _nodes = [];
    private string _database = "";

    public async Task InitializeAsync()
    {
        _database = await TestCluster.CreateDatabaseAsync(nameof(SecondNodeTests));
        // The application name tells the nodes apart in pg_stat_activity.
        foreach (var name in new[] { "node-a", "node-b" })
            _nodes[name] = await ReliabilityHost.StartAsync(new NpgsqlConnectionStringBuilder(_database) { ApplicationName = name }.ConnectionString, DaemonMode.HotCold);
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _nodes.Values)
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    /// <summary>Marten's per-projection advisory locks (session level, one key per projection shard) and their holders.</summary>
    private async Task<Dictionary<string, string[]>> ShardLocksAsync()
    {
        await using var conn = new NpgsqlConnection(_database);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select l.classid::text || '/' || l.objid::text, a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid " +
            "where l.locktype = 'advisory' and l.granted and a.datname = current_database() and a.application_name like 'node-%'", conn);
        var rows = new List<(string Key, string Node)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1)));
        return rows.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Select(r => r.Node).ToArray());
    }

    /// <summary>Waits until every projection shard is locked by exactly one node (optionally: all by <paramref name="only"/>).</summary>
    private Task<(Dictionary<string, string[]> Value, TimeSpan After)> WaitForShardsAsync(int shards, string? only, TimeSpan timeout) =>
        Poll.UntilAsync(ShardLocksAsync, locks =>
            {
                Assert.All(locks, l => Assert.Single(l.Value));
                return locks.Count >= shards && (only is null || locks.Values.All(v => v[0] == only));
            },
            timeout, TimeSpan.FromMilliseconds(200), locks => $"shards not taken over: {string.Join(", ", locks.Select(l => $"{l.Key}={l.Value[0]}"))}");

    private static async Task IssueAsync(IHost node, List<Guid> wallets, int rounds)
    {
        var service = node.Services.GetRequiredService<WalletService>();
        var alice = ReliabilityHost.Actor("alice");
        for (var i = 0; i < rounds; i++)
            foreach (var id in wallets)
                Assert.True((await service.GrantAsync(alice, Guid.CreateVersion7(), id, 2, "node test", null)).Succeeded);
    }

    [Fact]
    public async Task Given_two_HotCold_nodes_When_the_leader_stops_Then_the_other_takes_over_within_30_seconds_and_no_event_is_applied_twice_or_missed()
    {
        var anyNode = _nodes["node-a"];
        await ReliabilityHost.GrantPersonaAsync(anyNode, "alice", Personas.Support);
        var ids = await ReliabilityHost.OpenWalletsAsync(anyNode.Services.GetRequiredService<WalletService>(), ReliabilityHost.Actor("alice"), 10);
        await IssueAsync(_nodes["node-b"], ids, 3);
        await anyNode.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        // The async read models run as one composite shard (their members keep progression rows but hold no lock).
        var shards = (int)await ReliabilityHost.ScalarAsync(_database, $"select count(*) from auditportal.mt_event_progression where name = '{AuditPortal.Core.Projections.ReadModelShards.CompositeShard}'");
        var (before, _) = await WaitForShardsAsync(shards, null, TimeSpan.FromSeconds(30));

        // The node running most projections stops; the other must take every shard over.
        var leader = before.Values.GroupBy(v => v[0]).OrderByDescending(g => g.Count()).First().Key;
        var follower = _nodes.Keys.Single(k => k != leader);
        var stopping = Stopwatch.StartNew();
        await _nodes[leader].StopAsync();
        _nodes[leader].Dispose();
        _nodes.Remove(leader);
        // Events appended while the projections change hands must be applied once, by the new owner.
        await IssueAsync(_nodes[follower], ids, 3);
        var (after, _) = await WaitForShardsAsync(shards, follower, TimeSpan.FromSeconds(30));
        var takeover = stopping.Elapsed;
        await IssueAsync(_nodes[follower], ids, 2);
        var store = _nodes[follower].Services.GetRequiredService<IDocumentStore>();
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var caughtUp = stopping.Elapsed;

        var replay = await WalletReplay.CheckAsync(store, _database);
        output.WriteLine($"{shards} projection shards; before: {string.Join(", ", before.Values.GroupBy(v => v[0]).Select(g => $"{g.Key} runs {g.Count()}"))}; " +
                         $"stopped {leader}; {follower} held all {after.Count} shard locks {takeover.TotalSeconds:N1} s later " +
                         $"and had caught up {caughtUp.TotalSeconds:N1} s after the stop; {replay.Events} wallet events replayed, {replay.Mismatches.Count} mismatches");
        Assert.True(takeover < TimeSpan.FromSeconds(30), $"Takeover took {takeover}");
        replay.AssertConsistent();
    }
}
