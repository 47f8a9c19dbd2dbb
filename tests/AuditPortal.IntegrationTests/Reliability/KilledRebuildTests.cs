namespace AuditPortal.IntegrationTests.Reliability;

/// <summary>The portal process killed (SIGKILL) in the middle of a projection rebuild, then the rebuild run again.</summary>
public sealed class KilledRebuildTests(ITestOutputHelper output)
{
    private const int Wallets = 1000;
    private const int EventsPerWallet = 100;

    [Fact]
    public async Task Given_a_rebuild_killed_halfway_When_it_is_run_again_Then_it_completes_and_equals_a_replay()
    {
        var connection = await TestCluster.CreateDatabaseAsync(nameof(KilledRebuildTests));
        await SchemaApply.ApplyAsync(connection, connection, new PortalStoreSettings());
        await using var store = DocumentStore.For(o => { PortalStore.Configure(o, connection, new PortalStoreSettings()); PortalSchema.IgnoreAuditIndexes(o); });
        await BulkInsertAsync(store);
        // A never-analyzed event table makes the rebuild's paging query degenerate (STACK-NOTES).
        await ReliabilityHost.ScalarAsync(connection, "analyze auditportal.mt_events; select 0");

        var first = StartRebuild(connection);
        var clock = Stopwatch.StartNew();
        const long total = Wallets * EventsPerWallet;
        // Kill it while one of its transactions has written something (a transaction id is assigned) and not yet committed.
        await Poll.UntilAsync(async () => first.HasExited || await ReliabilityHost.ScalarAsync(connection,
                "select count(*) from pg_stat_activity where application_name = 'rebuild-child' and backend_xid is not null") > 0,
            met => met, TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(10));
        Assert.False(first.HasExited, $"The rebuild ended before it could be killed (exit {(first.HasExited ? first.ExitCode : 0)}).");
        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();
        var killedAfter = clock.Elapsed;
        var progressAtKill = await ReliabilityHost.ScalarAsync(connection,
            "select coalesce((select last_seq_id from auditportal.mt_event_progression where name = 'WalletSummary:All'), 0)");
        Assert.True(progressAtKill < total, $"Killed too late: the rebuild was at {progressAtKill} of {total}.");

        clock.Restart();
        var second = StartRebuild(connection);
        var log = second.StandardOutput.ReadToEndAsync();
        var errors = second.StandardError.ReadToEndAsync();
        Assert.True(second.WaitForExit(TimeSpan.FromSeconds(180)), "The second rebuild did not finish in 180 s.");
        Assert.True(second.ExitCode == 0, $"Second rebuild failed ({second.ExitCode}): {await log}{await errors}");
        var rebuiltIn = clock.Elapsed;

        var replay = await WalletReplay.CheckAsync(store, connection, includeFlatTable: false);
        output.WriteLine($"{Wallets * EventsPerWallet:N0} events; SIGKILL after {killedAfter.TotalSeconds:N1} s at event {progressAtKill:N0} of {total:N0}; " +
                         $"second run completed in {rebuiltIn.TotalSeconds:N1} s; {replay.Wallets} wallets replayed, {replay.Mismatches.Count} mismatches");
        replay.AssertConsistent();
        Assert.Equal(Wallets, replay.Wallets);
    }

    private static Process StartRebuild(string connection) =>
        PortalProcess.Start(connection, "projections", "rebuild", "-p", AuditPortal.Core.Projections.ReadModelShards.Composite);

    private static async Task BulkInsertAsync(IDocumentStore store)
    {
        var registry = (IEventRegistry)((StoreOptions)store.Options).Events;
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var batch = new List<StreamAction>();
        for (var w = 0; w < Wallets; w++)
        {
            var id = Guid.CreateVersion7();
            var events = new List<object> { new WalletOpened(id, $"owner-{w}", "bulk", at) };
            for (var i = 1; i < EventsPerWallet; i++)
            {
                events.Add(i % 3 == 0
                    ? new CreditsSpent(id, 1, SpendTypes.Manual, null, "bulk", at.AddMinutes(i), "bulk")
                    : new CreditsGranted(id, 2, GrantTypes.Manual, null, "bulk", at.AddMinutes(i), "bulk"));
            }
            var action = StreamAction.Start(registry, id, events.ToArray());
            action.AggregateType = typeof(Wallet);
            batch.Add(action);
        }
        await store.BulkInsertEventsAsync(batch, 1000);
    }
}
