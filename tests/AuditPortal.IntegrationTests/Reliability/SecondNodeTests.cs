using System.Diagnostics;
using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Wallets;
using AuditPortal.Tests.Shared;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Xunit.Abstractions;

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

    /// <summary>The nodes whose connections hold advisory locks (Marten's leader lock and its projection locks).</summary>
    private async Task<string[]> LockHoldersAsync()
    {
        await using var conn = new NpgsqlConnection(_database);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select distinct a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid " +
            "where l.locktype = 'advisory' and l.granted and a.datname = current_database() and a.application_name like 'node-%'", conn);
        var holders = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) holders.Add(reader.GetString(0));
        return [.. holders];
    }

    private async Task<(string Leader, TimeSpan After)> WaitForSingleLeaderAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var holders = await LockHoldersAsync();
            if (holders.Length == 1) return (holders[0], clock.Elapsed);
            Assert.True(holders.Length < 2, $"Both nodes hold projection locks: {string.Join(", ", holders)}");
            if (clock.Elapsed > timeout) throw new TimeoutException("No node took the projections over in time.");
            await Task.Delay(200);
        }
    }

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
        var (leader, electedIn) = await WaitForSingleLeaderAsync(TimeSpan.FromSeconds(30));
        var follower = _nodes.Keys.Single(k => k != leader);
        await ReliabilityHost.GrantPersonaAsync(_nodes[follower], "alice", Personas.Support);
        var ids = await ReliabilityHost.OpenWalletsAsync(_nodes[follower].Services.GetRequiredService<WalletService>(), ReliabilityHost.Actor("alice"), 10);
        await IssueAsync(_nodes[follower], ids, 3);
        var store = _nodes[follower].Services.GetRequiredService<IDocumentStore>();
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([leader], await LockHoldersAsync());

        var stopping = Stopwatch.StartNew();
        await _nodes[leader].StopAsync();
        _nodes[leader].Dispose();
        _nodes.Remove(leader);
        // Events appended while nobody runs the projections must be picked up by the new leader.
        await IssueAsync(_nodes[follower], ids, 3);
        var (newLeader, _) = await WaitForSingleLeaderAsync(TimeSpan.FromSeconds(30));
        var takeover = stopping.Elapsed;
        Assert.Equal(follower, newLeader);
        await IssueAsync(_nodes[follower], ids, 2);
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var caughtUp = stopping.Elapsed;

        var replay = await WalletReplay.CheckAsync(store, _database);
        output.WriteLine($"{leader} led after {electedIn.TotalSeconds:N1} s; stopped it; {follower} held the locks {takeover.TotalSeconds:N1} s later " +
                         $"and had caught up {caughtUp.TotalSeconds:N1} s after the stop; {replay.Events} wallet events replayed, {replay.Mismatches.Count} mismatches");
        Assert.True(takeover < TimeSpan.FromSeconds(30), $"Takeover took {takeover}");
        replay.AssertConsistent();
    }
}
