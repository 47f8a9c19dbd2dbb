using System.Diagnostics;
using AuditPortal.Core.Audit;
using AuditPortal.Core.Common;
using AuditPortal.Core.Overview;
using AuditPortal.Core.Projections;
using Marten;

namespace AuditPortal.Benchmarks;

/// <summary>
/// The overview tiles and charts as the portal asks them (through the services, with their permission checks),
/// over the bulk history. The clock stands at the end of the bulk history's year, so "today", "this week" and
/// "the last 90 days" hold events.
/// </summary>
public static class OverviewBenchmarks
{
    private sealed class At(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    public static async Task RunAsync(IDocumentStore store, int runs, Action<string, string, string, string> row, Func<bool, string> check)
    {
        var now = await LatestAsync(store);
        var admin = new FixedActor(new Actor("admin", Guid.CreateVersion7().ToString()));
        var adminQueries = new OverviewQueries(store, admin, new At(now), new ProjectionOperations(store, new At(now)));
        var histogram = new ActivityHistogram(store, admin);
        var random = new Random(7);

        // The bootstrap admin holds every persona, so each query runs with its real permission check.
        var support = await Time(runs, () => adminQueries.SupportAsync());
        row("Overview, support: credits today/this week, wallets changed today, my last 10 actions (p50/p95)", Ms(support), "p95 < 50 ms", check(support.P95 < 50));
        var auditor = await Time(runs, () => adminQueries.AuditorAsync());
        row("Overview, auditor: events per day (90 days), most active actors (7 days), sensitive events (p50/p95)", Ms(auditor), "p95 < 50 ms", check(auditor.P95 < 50));
        var adminTiles = await Time(runs, () => adminQueries.AdminAsync());
        row("Overview, admin: projection status and the latest ACL changes (p50/p95)", Ms(adminTiles), "p95 < 50 ms", check(adminTiles.P95 < 50));
        var narrow = await Time(runs, () => histogram.CountAsync(AuditFilter.None with { Actor = "alice", From = now.AddDays(-random.Next(30, 300)), To = now }));
        row("Explorer histogram: one actor over 30–300 days (p50/p95)", Ms(narrow), "p95 < 50 ms", check(narrow.P95 < 50));
        var all = await Time(Math.Min(runs, 30), () => histogram.CountAsync(AuditFilter.None));
        row("Explorer histogram: no filter, whole history (p50/p95)", Ms(all), "p95 < 50 ms", check(all.P95 < 50));
        var wallet = await Time(runs, async () =>
        {
            await using var q = store.QuerySession();
            var id = await q.Events.QueryAllRawEvents().Where(e => e.Sequence == 1 + random.Next(1000)).Select(e => e.StreamId).FirstOrDefaultAsync();
            await new WalletBalanceHistory(store, admin).LoadAsync(id);
        });
        row("Wallet balance chart: one wallet's steps, incl. finding a wallet id (p50/p95)", Ms(wallet), "p95 < 50 ms", check(wallet.P95 < 50));
    }

    private static async Task<DateTimeOffset> LatestAsync(IDocumentStore store)
    {
        await using var q = store.QuerySession();
        var latest = await q.Events.QueryAllRawEvents().OrderByDescending(e => e.Sequence).Select(e => e.Timestamp).FirstOrDefaultAsync();
        return latest == default ? DateTimeOffset.UtcNow : latest;
    }

    private static string Ms((double P50, double P95) x) => $"{x.P50:F2} / {x.P95:F2} ms";

    private static async Task<(double P50, double P95)> Time(int runs, Func<Task> body)
    {
        for (var i = 0; i < 10; i++) await body();
        var ms = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            await body();
            ms.Add(clock.Elapsed.TotalMilliseconds);
        }
        return Percentiles.Of(ms);
    }
}
