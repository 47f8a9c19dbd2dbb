using AuditPortal.Benchmarks;
using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Database;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten.Events;
using Marten.Pagination;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Spectre.Console;
using Weasel.Core;

AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 180);
var eventCount = Arg("--events", 1_000_000);
var commandCount = Arg("--commands", 4_000);
var writers = Arg("--writers", 8);
var queryRuns = Arg("--queries", 300);
var visibleRuns = Arg("--visible", 100);
var wallets = Math.Max(100, eventCount / 10);

AnsiConsole.MarkupLine($"[bold]AuditPortal benchmark[/]: {eventCount:N0} events, {wallets:N0} wallets, {writers} writers, {commandCount:N0} commands per mode");
// PostgreSQL's default WAL bound, as a production server has: the tests' smaller bound would add checkpoints to the figures.
using var pg = EmbeddedPostgres.StartTemporary(maxWalSize: "1GB");
await pg.EnsureDatabaseAsync("bench");
// Two roles, as the portal runs on its embedded database: the schema owner applies the schema, the runtime role (which
// owns no table) runs everything measured here, rebuilds included. Owner-only housekeeping (VACUUM) runs as the superuser.
var superuser = pg.ConnectionString("bench");
await DatabaseRoles.EnsureAsync(superuser, PortalStoreSettings.DefaultSchemaName, "auditportal_migrator", "auditportal_app");
var cs = DatabaseRoles.WithUser(superuser, "auditportal_app");
var migrations = DatabaseRoles.WithUser(superuser, "auditportal_migrator");
// Events bound as the portal binds them: the apply step installs the trigger that checks every insert, the import included.
var settings = new PortalStoreSettings
{
    RebuildWithBulkCopy = Arg("--bulk-copy", 0) == 1, OptimizedRebuilds = Arg("--optimized", 0) == 1,
    EventKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32),
};

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddPortalMarten(_ => cs, settings, DaemonMode.Disabled, _ => migrations);
builder.Services.AddPortalCommands();
// The overview's queries, as in the portal (its daily read model is in every store's read-model composite).
AuditPortal.Core.Overview.OverviewServiceRegistration.AddOverviewQueries(builder.Services);
// The change feed, as every portal node runs it: it keeps the lists' "is a previous version serving?" cached (PreviousVersionCache).
builder.Services.AddReadModelChangeFeed();
using var host = builder.Build();
await host.StartAsync();
await host.Services.GetRequiredService<ReadModelChangeFeed>().Listening;
var store = host.Services.GetRequiredService<IDocumentStore>();
await PortalBootstrap.EnsurePortalAclAsync(store, host.Services.GetRequiredService<AccessControlService>(), "admin");
var acl = host.Services.GetRequiredService<AccessControlService>();
foreach (var p in Personas.Support)
    await acl.GrantAsync(Actor.System("bench"), Guid.CreateVersion7(), Resources.PortalAclId, BenchUsers.Support, p, "benchmark", null);
foreach (var p in Personas.Auditor)
    await acl.GrantAsync(Actor.System("bench"), Guid.CreateVersion7(), Resources.PortalAclId, BenchUsers.Auditor, p, "benchmark", null);
var rows = new List<BenchRow>();
// kind: "target" (has a verdict), "reference" (measured for comparison only, e.g. a query no page uses), "info".
void Row(string what, string value, string target = "", string verdict = "", string? kind = null, Dictionary<string, double>? values = null) =>
    rows.Add(new BenchRow(what, value, target, verdict, kind ?? (verdict.Length > 0 ? "target" : "info"), values ?? []));
string Check(bool ok) => ok ? "[green]met[/]" : "[red]missed[/]";
var jsonPath = ArgText("--json");
// "--only queries": the import, the read models filled (not measured), the page queries; no rebuild or write rows.
// "--only rebuild": the import and the rebuild rows only.
var only = ArgText("--only");

// 1. Bulk history through binary COPY.
Console.WriteLine("Generating...");
// The import is setup, not a measured path: Marten's bulk event insert checks (and may create) storage, so it runs as
// the superuser; the roles and the apply step then run again, so the runtime role owns nothing and has its grants.
BulkHistoryResult bulk;
using (var importer = DocumentStore.For(o => { PortalStore.Configure(o, superuser, settings); PortalSchema.IgnoreAuditIndexes(o); }))
    bulk = await BulkHistory.GenerateAsync(importer, new BulkHistoryOptions { TotalEvents = eventCount, Wallets = wallets });
await DatabaseRoles.EnsureAsync(superuser, PortalStoreSettings.DefaultSchemaName, "auditportal_migrator", "auditportal_app");
await SchemaApply.ApplyAsync(migrations, cs, settings);
Row("Bulk import (binary COPY, every event bound and checked by the trigger)", $"{bulk.Events:N0} events, {bulk.Streams:N0} streams in {bulk.Elapsed.TotalSeconds:F1} s = {bulk.Events / bulk.Elapsed.TotalSeconds:N0} events/s",
    values: new() { ["eventsPerSecond"] = bulk.Events / bulk.Elapsed.TotalSeconds, ["seconds"] = bulk.Elapsed.TotalSeconds });
Row("  binding in the portal (HMAC over the jsonb text), per event", $"{bulk.BindingTime.TotalMilliseconds * 1000 / Math.Max(1, bulk.Events):F1} µs ({bulk.BindingTime.TotalSeconds:F1} s of the import)",
    values: new() { ["microsecondsPerEvent"] = bulk.BindingTime.TotalMilliseconds * 1000 / Math.Max(1, bulk.Events) });
await Sql(superuser, "vacuum analyze auditportal.mt_events");
await Sql(superuser, "vacuum analyze auditportal.mt_streams");
// "--only feed": the import and the feed for security tools.
if (only is null or "feed")
{
    Console.WriteLine("Reading the audit feed from start to end...");
    await SiemFeedBenchmark.RunAsync(store, pg.DataDirectory, (await store.Advanced.FetchEventStoreStatistics()).EventCount, Row);
    if (only == "feed")
    {
        await ReportAsync();
        return 0;
    }
}
if (only == "queries") return await QueriesOnlyAsync();

// 2. Rebuild every read model, then bare Marten, then the SQL floor.
var ops = new ProjectionOperations(store, TimeProvider.System);
var totalEvents = (await store.Advanced.FetchEventStoreStatistics()).EventCount;
Console.WriteLine($"Rebuilding every read model over {totalEvents:N0} events...");
if (Arg("--drop-summary-indexes", 0) == 1)
{
    // Experiment: how much of WalletSummary's rebuild is index upkeep (the queries after it are then not representative).
    await Sql(superuser, """
        do $$ declare i record; begin
          for i in select indexname from pg_indexes where schemaname = 'auditportal' and tablename = 'mt_doc_walletsummary' and indexname <> 'pkey_mt_doc_walletsummary_id'
          loop execute 'drop index auditportal.' || quote_ident(i.indexname); end loop; end $$;
        """);
}
// For comparison (no page or verb uses it): the same composite through Marten's async daemon, the way rebuilds ran before the bulk pass.
Action? daemonRow = null;
if (Arg("--daemon-rebuild", 1) == 1)
{
    var daemonCpu = CpuClock.Start(pg.DataDirectory);
    var viaDaemon = await ops.RebuildAsync(Actor.System("bench"), new RebuildRequest(ThroughDaemon: true));
    if (!viaDaemon.Succeeded) throw new InvalidOperationException($"Rebuild through the daemon failed: {viaDaemon.Error}");
    var daemonProfile = daemonCpu.Stop();
    Console.WriteLine($"  through the daemon: {viaDaemon.Elapsed.TotalSeconds:F1} s");
    daemonRow = () => Row("  reference: the same read models through Marten's async daemon (one composite)",
        $"{totalEvents / viaDaemon.Elapsed.TotalSeconds:N0} events/s, {viaDaemon.Elapsed.TotalSeconds:F1} s; {daemonProfile.Describe(viaDaemon.Elapsed)}", "none (no verb or page uses it)", "reference", "reference",
        values: new() { ["eventsPerSecond"] = totalEvents / viaDaemon.Elapsed.TotalSeconds, ["seconds"] = viaDaemon.Elapsed.TotalSeconds });
}
// Every read model in one pass, as the CLI verb and the projections page rebuild them: the bulk pass.
var allCpu = CpuClock.Start(pg.DataDirectory);
double allPeak, allStart;
RebuildOutcome all;
await using (var peak = new PeakMemory())
{
    all = await ops.RebuildAsync(Actor.System("bench"), new RebuildRequest());
    if (!all.Succeeded) throw new InvalidOperationException($"Rebuild failed: {all.Error} at {all.FailedSequence} {all.FailedEventType}");
    await peak.DisposeAsync();
    allPeak = peak.PeakMiB;
    allStart = peak.StartMiB;
}
var allProfile = allCpu.Stop();
var allTime = all.Elapsed;
var allRate = totalEvents / allTime.TotalSeconds;
Console.WriteLine($"  {string.Join(", ", all.Projections)}: {allTime.TotalSeconds:F1} s");

Console.WriteLine("Rebuilding the bare balance projection...");
using var bare = DocumentStore.For(o =>
{
    // The portal's own event store configuration, so that the schema check sees the same mt_events and mt_streams.
    // As the superuser: plain Marten creates its own table for the reference projection.
    PortalStore.Configure(o, superuser, settings);
    PortalSchema.IgnoreAuditIndexes(o);
    o.AutoCreateSchemaObjects = AutoCreate.CreateOnly;
    o.Projections.Add<BareBalanceProjection>(ProjectionLifecycle.Async, ao => { ao.BatchSize = 5000; ao.RebuildFlushThreshold = 20000; });
});
await bare.Storage.Database.EnsureStorageExistsAsync(typeof(BareBalance));
TimeSpan bareTime;
double barePeak;
CpuProfile bareProfile;
await using (var peak = new PeakMemory())
{
    var daemon = await bare.BuildProjectionDaemonAsync();
    var bareCpu = CpuClock.Start(pg.DataDirectory);
    var clock = Stopwatch.StartNew();
    await daemon.RebuildProjectionAsync<BareBalance>(TimeSpan.FromMinutes(30), CancellationToken.None);
    bareTime = clock.Elapsed;
    bareProfile = bareCpu.Stop();
    (daemon as IDisposable)?.Dispose();
    await peak.DisposeAsync();
    barePeak = peak.PeakMiB;
}
var bareRate = totalEvents / bareTime.TotalSeconds;
Row($"Rebuild every read model ({all.Projections.Length} read models in one pass: {string.Join(", ", all.Projections)})",
    $"{allRate:N0} events/s, {allTime.TotalSeconds:F1} s, peak RSS {allPeak:N0} MiB ({allStart:N0} MiB at its start)",
    $">= 2x bare Marten ({2 * bareRate:N0} events/s), < 400 MB", Check(allRate >= 2 * bareRate && allPeak < 400),
    values: new() { ["eventsPerSecond"] = allRate, ["seconds"] = allTime.TotalSeconds, ["peakRssMiB"] = allPeak, ["startRssMiB"] = allStart, ["targetEventsPerSecond"] = 2 * bareRate });
Row("  profile: CPU in the portal / in PostgreSQL during the pass", allProfile.Describe(allTime),
    values: new() { ["appCpuSeconds"] = allProfile.AppSeconds, ["postgresCpuSeconds"] = allProfile.PostgresSeconds });
foreach (var phase in all.Phases ?? [])
    Row($"    {phase.Name}", $"{phase.Elapsed.TotalSeconds:F2} s", values: new() { ["seconds"] = phase.Elapsed.TotalSeconds });
daemonRow?.Invoke();
Row("Bare Marten: one single-stream balance", $"{bareRate:N0} events/s, {bareTime.TotalSeconds:F1} s, peak RSS {barePeak:N0} MiB",
    values: new() { ["eventsPerSecond"] = bareRate, ["seconds"] = bareTime.TotalSeconds, ["peakRssMiB"] = barePeak });
Row("  profile: CPU in the portal / in PostgreSQL", bareProfile.Describe(bareTime),
    values: new() { ["appCpuSeconds"] = bareProfile.AppSeconds, ["postgresCpuSeconds"] = bareProfile.PostgresSeconds });

var sqlClock = Stopwatch.StartNew();
await Sql(superuser, """
    create table auditportal.bench_balance (id uuid primary key, credits int not null);
    insert into auditportal.bench_balance
    select stream_id, sum(case type when 'credits_spent' then -(data->>'amount')::int when 'wallet_opened' then 0 else (data->>'amount')::int end)
    from auditportal.mt_events where type in ('wallet_opened', 'credits_granted', 'credits_granted_v2', 'credits_spent') group by stream_id;
    """);
var sqlTime = sqlClock.Elapsed;
var sqlRate = totalEvents / sqlTime.TotalSeconds;
Row("Floor: balance by one SQL statement", $"{sqlRate:N0} events/s, {sqlTime.TotalSeconds:F2} s",
    values: new() { ["eventsPerSecond"] = sqlRate, ["seconds"] = sqlTime.TotalSeconds });
Row("Ratio: rebuild all / bare Marten", $"{allRate / bareRate:F2}", ">= 2", Check(allRate / bareRate >= 2), values: new() { ["ratio"] = allRate / bareRate });
Row("Ratio: rebuild all / SQL floor", $"{allRate / sqlRate:F3}", values: new() { ["ratio"] = allRate / sqlRate });
var mismatches = await Scalar<long>(superuser, """
    select count(*) from auditportal.bench_balance b left join auditportal.account_projection a on a.aggregate_id = b.id
    where a.credits is distinct from b.credits
    """);
Row("Check: account_projection = SQL balances", mismatches == 0 ? "all equal" : $"{mismatches} differ", "0 differ", Check(mismatches == 0),
    values: new() { ["mismatches"] = mismatches });
// "--only rebuild": the import, the rebuild rows (bulk pass, bare Marten, SQL floor) and the check; nothing after.
if (only == "rebuild")
{
    await ReportAsync();
    return 0;
}

// The wallet list while every read model is rebuilt again: the pass fills shadow tables and switches them in at the
// end, so the list keeps answering from the old tables. A second rebuild, so the paced queries (one every 10 ms, as
// users refreshing) do not weigh on the rebuild measured above; same code path as the page (WalletQueries.ListAsync).
{
    Console.WriteLine("Rebuilding again with the wallet list queried throughout...");
    var duringReads = new WalletQueries(store, new PreviousReadModels(store), BenchUsers.As(BenchUsers.Support));
    var duringRandom = new Random(11);
    // The unfiltered list's pages (default sort by owner, total): every page has rows at any size, so an empty page
    // means the list lost its rows during the rebuild.
    WalletListQuery Next() => new(duringRandom.Next(Math.Max(1, Math.Min(20, wallets / 50))), 50);
    for (var i = 0; i < 20; i++) await duringReads.ListAsync(Next());
    using var rebuildDone = new CancellationTokenSource();
    var during = Task.Run(async () =>
    {
        var ms = new List<double>();
        long empty = 0;
        while (!rebuildDone.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            var page = await duringReads.ListAsync(Next());
            ms.Add(clock.Elapsed.TotalMilliseconds);
            if (page.Items.Count == 0) empty++;
            await Task.Delay(10);
        }
        return (Ms: ms, Empty: empty);
    });
    var again = await ops.RebuildAsync(Actor.System("bench"), new RebuildRequest());
    rebuildDone.Cancel();
    var (duringMs, emptyPages) = await during;
    if (!again.Succeeded) throw new InvalidOperationException($"Rebuild failed: {again.Error}");
    var d = Percentiles.Of(duringMs);
    Console.WriteLine($"  wallet list during the rebuild: {Ms(d)} (p50/p95), {duringMs.Count} queries, max {duringMs.Max():F0} ms, {emptyPages} empty pages, rebuild {again.Elapsed.TotalSeconds:F1} s");
    Row($"Wallet list during a rebuild (WalletQueries.ListAsync as {BenchUsers.Support}, page of 50, default sort, total; {duringMs.Count} queries over the {again.Elapsed.TotalSeconds:F1} s rebuild, max {duringMs.Max():F0} ms, {emptyPages} empty pages) (p50/p95)",
        Ms(d), "p95 < 100 ms", Check(d.P95 < 100 && emptyPages == 0), values: new(P(d)) { ["queries"] = duringMs.Count, ["maxMs"] = duringMs.Max(), ["emptyPages"] = emptyPages, ["rebuildSeconds"] = again.Elapsed.TotalSeconds });
}

// 3. Queries.
// Autovacuum does this shortly after a rebuild rewrote every read model; the queries are measured in that steady state.
await Sql(superuser, "vacuum analyze auditportal.mt_doc_walletsummary");
var walletIds = await WalletIdsAsync(store, 50_000);
var random = new Random(7);
await QueryRowsAsync(walletIds);

// 4. Commands through the services beside bare Marten.
var services = host.Services.GetRequiredService<WalletService>();
var alice = new Actor("alice", Guid.CreateVersion7().ToString());
// As the wallet page issues it: with the version the page read from WalletSummary, kept current by each answer (the
// page's live refresh does that). Each writer has wallets of its own, so a conflict would be a defect, not a race.
var seen = new System.Collections.Concurrent.ConcurrentDictionary<Guid, long>(await WalletVersionsAsync(store, walletIds));
var (svcRate, svcLat) = await Writers(commandCount, writers, walletIds, async id =>
{
    var r = await services.GrantAsync(alice, Guid.CreateVersion7(), id, 5, "benchmark", seen[id]);
    if (!r.Succeeded) throw new InvalidOperationException(r.Message);
    seen[id] = r.Version!.Value;
});
var (bareCmdRate, bareLat) = await Writers(commandCount, writers, walletIds, async id =>
{
    await using var session = store.LightweightSession();
    var stream = await session.Events.FetchForWriting<Wallet>(id);
    stream.AppendOne(WalletDecisions.Handle(stream.Aggregate,
        new GrantCredits(id, 5, "benchmark", Guid.CreateVersion7(), "alice", DateTimeOffset.UtcNow), WalletLimits.Default));
    await session.SaveChangesAsync();
});
Row($"Commands through WalletService ({writers} writers): rate, p50/p95", $"{svcRate:N0}/s, {Ms(svcLat)}", "p95 < 20 ms", Check(svcLat.P95 < 20), values: new(P(svcLat)) { ["perSecond"] = svcRate });
Row($"Bare Marten FetchForWriting + Append + SaveChanges ({writers} writers)", $"{bareCmdRate:N0}/s, {Ms(bareLat)}", values: new(P(bareLat)) { ["perSecond"] = bareCmdRate });
Row("Ratio: services / bare Marten", $"{svcRate / bareCmdRate:F2}", ">= 0.8", Check(svcRate / bareCmdRate >= 0.8), values: new() { ["ratio"] = svcRate / bareCmdRate });

// 5. Commit-to-visible with the async daemon running.
Console.WriteLine("Commit-to-visible...");
{
    var daemon = await store.BuildProjectionDaemonAsync();
    await daemon.StartAllAsync();
    await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromMinutes(5));
    var visible = new List<double>();
    for (var i = 0; i < visibleRuns; i++)
    {
        var id = walletIds[random.Next(walletIds.Count)];
        long expected;
        await using (var before = store.QuerySession()) expected = (await before.Events.FetchStreamStateAsync(id))!.Version + 1;
        var r = await services.GrantAsync(alice, Guid.CreateVersion7(), id, 1, "visibility", null);
        if (!r.Succeeded) throw new InvalidOperationException(r.Message);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using var q = store.QuerySession();
            var summary = await q.LoadAsync<WalletSummary>(id);
            if (summary?.Version >= expected) break;
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                var progress = await store.Advanced.AllProjectionProgress();
                throw new TimeoutException($"not visible after 30 s: summary v{summary?.Version} wanted v{expected}; " +
                    string.Join(", ", progress.Select(p => $"{p.ShardName}={p.Sequence}")) + $"; max seq {(await store.Advanced.FetchEventStoreStatistics()).EventSequenceNumber}");
            }
            await Task.Delay(2);
        }
        visible.Add(clock.Elapsed.TotalMilliseconds);
    }
    var v = Percentiles.Of(visible);
    Row("Commit-to-visible in WalletSummary (p50/p95)", Ms(v), "p95 < 500 ms", Check(v.P95 < 500), values: P(v));
    await daemon.StopAllAsync();
    (daemon as IDisposable)?.Dispose();
}

await ReportAsync();
return 0;

// Every page's queries, through the services the pages call, as signed-in users.
async Task QueryRowsAsync(List<Guid> ids)
{
    await PageQueries.RunAsync(store, queryRuns, wallets, ids, Row, Check);
    await OverviewBenchmarks.RunAsync(store, queryRuns, ids, Row, Check);
    // Four-eyes approvals: 10,000 open requests imported beside the history (as the superuser, as the history was), then the page's queries.
    using (var importer = DocumentStore.For(o => { PortalStore.Configure(o, superuser, settings); PortalSchema.IgnoreAuditIndexes(o); }))
        await ApprovalBenchmarks.RunAsync(store, importer, ids, bulk.Events, queryRuns, Row, Check);
}

async Task<int> QueriesOnlyAsync()
{
    Console.WriteLine("Filling the read models (not measured)...");
    var filled = await new ProjectionOperations(store, TimeProvider.System).RebuildAsync(Actor.System("bench"), new RebuildRequest());
    if (!filled.Succeeded) throw new InvalidOperationException($"Rebuild failed: {filled.Error} at {filled.FailedSequence} {filled.FailedEventType}");
    await Sql(superuser, "vacuum analyze auditportal.mt_doc_walletsummary");
    await QueryRowsAsync(await WalletIdsAsync(store, 50_000));
    await ReportAsync();
    return 0;
}

async Task ReportAsync()
{
    var table = new Table().Title($"AuditPortal benchmark, {eventCount:N0} events").AddColumns("Measure", "Result", "Target", "");
    foreach (var r in rows) table.AddRow(new[] { r.Measure, r.Result, r.Target, r.Verdict }.Select(c => new Markup(c.StartsWith("[") ? c : Markup.Escape(c))).ToArray());
    AnsiConsole.Write(table);
    AnsiConsole.WriteLine(Machine());
    if (jsonPath is not null)
    {
        var postgresVersion = await Scalar<string>(cs, "select version()");
        await BenchmarkJson.WriteAsync(jsonPath, args, eventCount, rows, Machine(), postgresVersion);
        AnsiConsole.WriteLine($"Results written to {Path.GetFullPath(jsonPath)}");
    }
    if (Arg("--hold", 0) == 1)
    {
        // For looking at plans by hand: the database stays until Enter (the cluster is removed when the process ends).
        AnsiConsole.WriteLine($"Holding the database: {superuser} (press Enter to remove it)");
        Console.ReadLine();
    }
    await host.StopAsync();
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1].Replace("_", ""), out var v) ? v : fallback;
}

static string Ms((double P50, double P95) x) => $"{x.P50:F2} / {x.P95:F2} ms";

static Dictionary<string, double> P((double P50, double P95) x) => new() { ["p50Ms"] = x.P50, ["p95Ms"] = x.P95 };

string? ArgText(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static async Task Sql(string cs, string sql)
{
    await using var conn = new NpgsqlConnection(cs);
    await conn.OpenAsync();
    await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 600 };
    await cmd.ExecuteNonQueryAsync();
}

static async Task<T> Scalar<T>(string cs, string sql)
{
    await using var conn = new NpgsqlConnection(cs);
    await conn.OpenAsync();
    await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 600 };
    return (T)(await cmd.ExecuteScalarAsync())!;
}

static async Task<List<Guid>> WalletIdsAsync(IDocumentStore store, int max)
{
    await using var q = store.QuerySession();
    return (await q.Query<WalletSummary>().Select(x => x.Id).Take(max).ToListAsync()).ToList();
}

static async Task<Dictionary<Guid, long>> WalletVersionsAsync(IDocumentStore store, List<Guid> ids)
{
    await using var q = store.QuerySession();
    return (await q.Query<WalletSummary>().Where(x => ids.Contains(x.Id)).Select(x => new { x.Id, x.Version }).ToListAsync()).ToDictionary(x => x.Id, x => x.Version);
}

// Each writer works on its own wallets, so the comparison measures the write path rather than lock waits.
static async Task<(double Rate, (double P50, double P95) Latency)> Writers(int total, int writers, List<Guid> ids, Func<Guid, Task> command)
{
    for (var i = 0; i < 20; i++) await command(ids[i]);
    var latencies = new List<double>[writers];
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
    {
        var mine = latencies[w] = new List<double>(total / writers);
        var random = new Random(w);
        for (var i = 0; i < total / writers; i++)
        {
            var id = ids[w + writers * random.Next(ids.Count / writers)];
            var one = Stopwatch.StartNew();
            await command(id);
            mine.Add(one.Elapsed.TotalMilliseconds);
        }
    })));
    var elapsed = clock.Elapsed;
    var all = latencies.SelectMany(x => x).ToList();
    return (all.Count / elapsed.TotalSeconds, Percentiles.Of(all));
}

static string Machine()
{
    var cpu = File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "?"
        : "?";
    var mem = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim() : "?";
    return $"Machine: {Environment.ProcessorCount} cores ({cpu}), {mem} RAM, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
           $".NET {Environment.Version}, PostgreSQL 15 (embedded, fsync on), Marten 9.58, Release={!typeof(Program).Assembly.GetCustomAttributes(false).OfType<DebuggableAttribute>().Any(d => d.IsJITTrackingEnabled)}";
}
