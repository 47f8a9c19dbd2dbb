using JasperFx;

namespace AuditPortal.IntegrationTests.Projections;

/// <summary>
/// The bulk rebuild builds shadow tables and switches them in at the end: readers with a 1 s lock timeout (the wallet
/// list, the job list, the overview, psql's account_projection) never fail and read the old rows until the switch, and
/// the events committed during the rebuild are in the read models afterwards. As the runtime role, which owns no table.
/// </summary>
public sealed class ShadowRebuildTests(ITestOutputHelper output) : RoleSplitHostTests
{
    private const int HistoryEvents = 80_000;
    private static readonly PortalStoreSettings Settings = new() { EventKey = ReliabilityHost.EventKey };

    // A history large enough that the pass reports progress half-way (every 50,000 events): imported by binary COPY as
    // the benchmark does, before the roles exist; the role split then hands every table to the migration role.
    protected override async Task BeforeRolesAsync(string superuser)
    {
        await SchemaApply.ApplyAsync(superuser, superuser, Settings);
        using (var importer = DocumentStore.For(o => { PortalStore.Configure(o, superuser, Settings); PortalSchema.IgnoreAuditIndexes(o); }))
            await BulkHistory.GenerateAsync(importer, new BulkHistoryOptions { TotalEvents = HistoryEvents, Wallets = 2_000, JobShare = 0.2, StreamsPerBatch = 500 });
        await ReliabilityHost.ScalarAsync(superuser, "analyze auditportal.mt_events; select 0");
    }

    protected override void Configure(IServiceCollection services) => OverviewServiceRegistration.AddOverviewQueries(services);

    [Fact]
    public async Task Given_readers_with_a_1s_lock_timeout_and_writers_When_every_read_model_is_rebuilt_Then_no_reader_fails_they_read_the_old_rows_until_the_switch_and_no_event_is_lost()
    {
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        var ops = new ProjectionOperations(store, TimeProvider.System, Host.Services.GetRequiredService<IProjectionCoordinator>());
        var admin = ReliabilityHost.Actor(ReliabilityHost.Admin);
        await ReliabilityHost.GrantPersonaAsync(Host, "reader", [.. Personas.Support, .. Personas.Auditor, .. Personas.Admin]);
        await ReliabilityHost.GrantPersonaAsync(Host, "alice", Personas.Support);
        var alice = ReliabilityHost.Actor("alice");
        var fill = await ops.RebuildAsync(admin, new RebuildRequest());
        Assert.True(fill.Succeeded, fill.Error);
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        var walletIds = await Sql.QueryAsync(Database.Superuser, "select id from mt_doc_walletsummary order by id limit 20", r => r.GetGuid(0));
        var tables = ReadModelUpgrade.Tables;
        var grants = await GrantsAsync(tables);
        var indexes = await ReadModelContents.IndexesAsync(Database.Superuser);
        // A table's comment (e.g. ReadModelUpgrade's "being built" label for psql) must survive the switch like its grants.
        await Sql.ExecAsync(Database.Superuser, "comment on table auditportal.account_projection is 'kept by the switch'");

        // The readers' own store: every connection gives up on a lock after 1 s.
        var readerConnection = new NpgsqlConnectionStringBuilder(Database.Runtime) { Options = "-c lock_timeout=1000" }.ConnectionString;
        using var readerStore = DocumentStore.For(o => PortalStore.Configure(o, readerConnection, Settings with { AutoCreate = AutoCreate.None }));
        var reader = new FixedActor(ReliabilityHost.Actor("reader"));
        var wallets = new WalletQueries(readerStore, new PreviousReadModels(readerStore), reader);
        var jobs = new JobQueries(readerStore, new PreviousReadModels(readerStore), reader);
        var overview = new OverviewQueries(readerStore, reader, TimeProvider.System, new ProjectionOperations(readerStore, TimeProvider.System));
        Assert.Equal("1s", await Sql.ScalarAsync<string>(readerConnection, "show lock_timeout"));
        async Task<(long Wallets, long Credits)> ReadAllAsync()
        {
            var page = await wallets.ListAsync(new WalletListQuery(SortBy: "Balance", Descending: true));
            await jobs.ListAsync(new JobListQuery());
            await overview.SupportAsync();
            await overview.AuditorAsync();
            await overview.AdminAsync();
            return (page.TotalCount, await Sql.ScalarAsync<long>(readerConnection, "select coalesce(sum(credits), 0)::bigint from account_projection"));
        }
        var before = await ReadAllAsync();

        var service = Host.Services.GetRequiredService<WalletService>();
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var reads = 0;
        var writes = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
                try { await ReadAllAsync(); Interlocked.Increment(ref reads); }
                catch (Exception x) { failures.Enqueue(x); }
        })).ToArray();
        var writer = Task.Run(async () =>
        {
            var random = new Random(3);
            while (!stop.IsCancellationRequested)
            {
                var r = await service.GrantAsync(alice, Guid.CreateVersion7(), walletIds[random.Next(walletIds.Count)], 1, "during the rebuild", null);
                if (r.Succeeded) Interlocked.Increment(ref writes);
                else failures.Enqueue(new InvalidOperationException(r.Message));
            }
        });

        // Half-way through the pass (its shadow tables filling, the old ones untouched): every reader answers, from the
        // old rows, within its lock timeout; a grant committed now is past the rebuild's mark.
        (long Wallets, long Credits)? halfWay = null, afterLateGrant = null;
        Guid lateWallet = walletIds[0];
        var progress = new SyncProgress(p =>
        {
            if (halfWay is not null || p.Percent >= 100) return;
            halfWay = ReadAllAsync().GetAwaiter().GetResult();
            var late = service.GrantAsync(alice, Guid.CreateVersion7(), lateWallet, 7, "half-way through the rebuild", null).GetAwaiter().GetResult();
            Assert.True(late.Succeeded, late.Message);
            afterLateGrant = ReadAllAsync().GetAwaiter().GetResult();
        });
        var rebuilt = await ops.RebuildAsync(admin, new RebuildRequest(), progress);
        Assert.True(rebuilt.Succeeded, rebuilt.Error);
        var readsDuringRebuild = reads;
        stop.Cancel();
        await Task.WhenAll([.. readers, writer]);
        output.WriteLine($"{readsDuringRebuild} read rounds and {writes} grants while {HistoryEvents:N0} events were rebuilt in {rebuilt.Elapsed.TotalSeconds:F1} s");

        Assert.Empty(failures);
        Assert.True(readsDuringRebuild > 0);
        // The old rows: the daemon is paused for the rebuild, so the grants committed since (the late one among them) wait
        // for the switch; what the readers saw before the rebuild is all there.
        Assert.NotNull(halfWay);
        Assert.Equal(halfWay, afterLateGrant);
        Assert.Equal(before.Wallets, halfWay.Value.Wallets);
        Assert.InRange(halfWay.Value.Credits, before.Credits, before.Credits + writes);

        // After the switch: the same grants and indexes (names as Marten expects them), and every event of the meantime
        // in the read models, as a replay of every event by Marten's daemon builds them.
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(grants, await GrantsAsync(tables));
        Assert.Equal(indexes, await ReadModelContents.IndexesAsync(Database.Superuser));
        Assert.Equal("kept by the switch", await Sql.ScalarAsync<string>(Database.Superuser, "select obj_description('auditportal.account_projection'::regclass, 'pg_class')"));
        Assert.Empty(await ReadModelUpgrade.BehindAsync(store));
        Assert.Empty(await Sql.QueryAsync(Database.Superuser, "select relname::text from pg_class where relnamespace = 'auditportal'::regnamespace and relname like '%\\_shadow'", r => r.GetString(0)));
        Assert.Contains("half-way through the rebuild",
            await Sql.QueryAsync(Database.Superuser, "select reason from wallet_transaction where wallet_id = @w", r => r.GetString(0), ("w", lateWallet)));
        static List<string> WithoutRebuildLog(List<string> rows) => rows.Where(r => !r.Contains(" projection_rebuild_", StringComparison.Ordinal)).ToList();
        var afterSwitch = WithoutRebuildLog(await ReadModelContents.ReadAsync(Database.Superuser));
        var replay = await ops.RebuildAsync(admin, new RebuildRequest(ThroughDaemon: true));
        Assert.True(replay.Succeeded, replay.Error);
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        var byDaemon = WithoutRebuildLog(await ReadModelContents.ReadAsync(Database.Superuser));
        var firstDifference = byDaemon.Zip(afterSwitch).FirstOrDefault(p => p.First != p.Second);
        Assert.True(firstDifference == default, $"daemon:  {firstDifference.First}\nrebuilt: {firstDifference.Second}");
        Assert.Equal(byDaemon.Count, afterSwitch.Count);
        Assert.Equal(before.Wallets, (await wallets.ListAsync(new WalletListQuery())).TotalCount);
        Assert.Equal(before.Credits + writes + 7, (await ReadAllAsync()).Credits);

        // A transaction that holds a table past the pass (here: the wallet summaries): the switch waits for it at most
        // 200 ms at a time, steps back and tries again, so readers queued behind it pass within their 1 s timeout.
        await using (var holder = await PortalSql.OpenAsync(Database.Runtime))
        {
            await using var held = await holder.BeginTransactionAsync();
            await using (var hold = new NpgsqlCommand("select count(*) from auditportal.mt_doc_walletsummary", holder, held)) await hold.ExecuteScalarAsync();
            var blocked = ops.RebuildAsync(admin, new RebuildRequest());
            const string switchWaits = "select exists (select 1 from pg_locks where relation = to_regclass('auditportal.mt_doc_walletsummary') and mode = 'AccessExclusiveLock' and not granted)";
            async Task UntilSwitchWaitsIsAsync(bool waiting) =>
                await Poll.UntilAsync(() => Sql.ScalarAsync<bool>(Database.Superuser, switchWaits), w => w == waiting, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(10));
            await UntilSwitchWaitsIsAsync(true);
            await UntilSwitchWaitsIsAsync(false);
            await UntilSwitchWaitsIsAsync(true);
            // The second attempt waits: a reader arriving now queues behind it and is let through when it steps back.
            Assert.Equal(before.Wallets, (await ReadAllAsync()).Wallets);
            Assert.False(blocked.IsCompleted);
            await held.CommitAsync();
            var switched = await blocked;
            Assert.True(switched.Succeeded, switched.Error);
        }

        // The runtime role can shadow and switch only the read-model tables: the events, for one, are refused.
        await using var runtime = await PortalSql.OpenAsync(Database.Runtime);
        foreach (var function in new[] { ReadModelIndexes.ShadowCreateFunction, ReadModelIndexes.ShadowSwitchFunction })
        {
            await using var cmd = new NpgsqlCommand($"select auditportal.{function}(array['mt_events'])", runtime);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteScalarAsync());
            Assert.Contains("not a read-model table: mt_events", refused.MessageText);
        }
        Assert.Equal(0L, await Sql.ScalarAsync<long>(Database.Superuser, "select count(*) from pg_class where relname = 'mt_events_shadow'"));
    }

    private Task<List<string>> GrantsAsync(string[] tables) =>
        Sql.QueryAsync(Database.Superuser,
            "select c.relname || ' ' || pg_get_userbyid(c.relowner) || ' ' || coalesce(c.relacl::text, '') from pg_class c where c.relnamespace = 'auditportal'::regnamespace and c.relname = any(@t) order by 1",
            r => r.GetString(0), ("t", tables));

    private sealed class SyncProgress(Action<RebuildProgress> report) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => report(value);
    }
}
