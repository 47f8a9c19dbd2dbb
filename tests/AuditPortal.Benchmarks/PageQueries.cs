using Marten.Pagination;
using AuditPortal.Core.Projections;

namespace AuditPortal.Benchmarks;

/// <summary>Adds one row to the results table (the signature of Program.cs's Row).</summary>
public delegate void RowSink(string what, string value, string target = "", string verdict = "", string? kind = null, Dictionary<string, double>? values = null);

/// <summary>The benchmark's signed-in users: each page query runs as the persona who opens that page, with its real permission check.</summary>
public static class BenchUsers
{
    public const string Support = "alice";
    public const string Auditor = "carol";
    public const string Admin = "admin";

    public static ICurrentActor As(string user) => new FixedActor(new Actor(user, Guid.CreateVersion7().ToString()));
}

/// <summary>
/// The wallet and audit pages' queries, through the same service methods the pages call and as a signed-in user
/// (never <see cref="Actor.System"/>, which skips the permission check), beside two bare-Marten references.
/// </summary>
public static class PageQueries
{
    public const string Reference = "[grey]reference[/]";

    public static async Task RunAsync(IDocumentStore store, int runs, int wallets, IReadOnlyList<Guid> walletIds, RowSink row, Func<bool, string> check)
    {
        var random = new Random(7);
        var list = await Timing.RunAsync(runs, async () =>
        {
            await using var q = store.QuerySession();
            var page = await q.Query<WalletSummary>().Where(x => x.Balance >= random.Next(0, 500)).OrderByDescending(x => x.Balance)
                .ToPagedListAsync(1 + random.Next(20), 50);
            if (page.Count == 0) throw new InvalidOperationException("empty page");
        });
        // References: no page runs these two; they show what the page's own query (below) saves.
        row($"Wallet list: page of 50 of {wallets:N0}, filtered, sorted, with total, ToPagedListAsync (p50/p95)", Timing.Ms(list), "none (no page uses it)", Reference, "reference", Timing.P(list));
        var list2 = await Timing.RunAsync(runs, async () =>
        {
            await using var q = store.QuerySession();
            var min = random.Next(0, 500);
            var batch = q.CreateBatchQuery();
            var count = batch.Query<WalletSummary>().Where(x => x.Balance >= min).Count();
            var page = batch.Query<WalletSummary>().Where(x => x.Balance >= min).OrderByDescending(x => x.Balance).Skip(50 * random.Next(20)).Take(50).ToList();
            await batch.Execute();
            if ((await page).Count == 0 || await count == 0) throw new InvalidOperationException("empty page");
        });
        row("Wallet list, same page with count(*) and page as one batch query (p50/p95)", Timing.Ms(list2), "none (no page uses it)", Reference, "reference", Timing.P(list2));

        var reads = new WalletQueries(store, new PreviousReadModels(store), BenchUsers.As(BenchUsers.Support));
        var portalList = await Timing.RunAsync(runs, async () =>
        {
            var page = await reads.ListAsync(new WalletListQuery(random.Next(20), 50, nameof(WalletSummary.Balance), true, MinBalance: random.Next(0, 500)));
            if (page.Items.Count == 0 || page.TotalCount == 0) throw new InvalidOperationException("empty page");
        });
        row($"Wallet list as the page asks (WalletQueries.ListAsync as {BenchUsers.Support}): page of 50 of {wallets:N0}, balance filter, sorted, total (p50/p95)",
            Timing.Ms(portalList), "p95 < 10 ms", check(portalList.P95 < 10), values: Timing.P(portalList));
        var portalListAll = await Timing.RunAsync(runs, async () =>
        {
            var page = await reads.ListAsync(new WalletListQuery(random.Next(20), 50));
            if (page.Items.Count == 0 || page.TotalCount == 0) throw new InvalidOperationException("empty page");
        });
        row($"Wallet list unfiltered, default sort by owner, total (as {BenchUsers.Support}) (p50/p95)", Timing.Ms(portalListAll), "p95 < 10 ms", check(portalListAll.P95 < 10), values: Timing.P(portalListAll));

        // The support overview's tiles open the list of the wallets changed since the start of the day or week, latest
        // first: days back from the newest change in the history.
        var newest = (await reads.ListAsync(new WalletListQuery(0, 1, nameof(WalletSummary.LastChangedAt), true))).Items[0].LastChangedAt;
        var changedSince = await Timing.RunAsync(runs, async () =>
        {
            var since = new DateTimeOffset(newest.UtcDateTime.Date, TimeSpan.Zero).AddDays(-random.Next(7));
            var page = await reads.ListAsync(new WalletListQuery(0, 25, nameof(WalletSummary.LastChangedAt), true, ChangedSince: since));
            if (page.Items.Count == 0) throw new InvalidOperationException("empty page");
        });
        row($"Wallet list from a support tile: changed since the start of a day 0-6 days back, latest first, total (as {BenchUsers.Support}) (p50/p95)",
            Timing.Ms(changedSince), "p95 < 10 ms", check(changedSince.P95 < 10), values: Timing.P(changedSince));

        // The explorer's list as its page asks it: AuditFeed.QueryAsync, as the auditor.
        var feed = new AuditFeed(store, BenchUsers.As(BenchUsers.Auditor));
        var audit = await Timing.RunAsync(runs, async () =>
        {
            var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(random.Next(330));
            await feed.QueryAsync(AuditFilter.None with
            {
                Actor = BulkHistory.Staff[random.Next(BulkHistory.Staff.Length)],
                EventType = random.Next(2) == 0 ? "credits_granted" : "credits_spent",
                From = from, To = from.AddDays(30),
            });
        });
        row($"Audit explorer list (AuditFeed.QueryAsync as {BenchUsers.Auditor}): actor + 30-day range + event type, 50 rows (p50/p95)", Timing.Ms(audit), "p95 < 50 ms", check(audit.P95 < 50), values: Timing.P(audit));

        var timeline = await Timing.RunAsync(runs, async () =>
        {
            await using var q = store.QuerySession();
            var events = await q.Events.FetchStreamAsync(walletIds[random.Next(walletIds.Count)]);
            if (events.Count == 0) throw new InvalidOperationException("empty stream");
        });
        row("One wallet's timeline (p50/p95)", Timing.Ms(timeline), "p95 < 5 ms", check(timeline.P95 < 5), values: Timing.P(timeline));

        // The wallet page opens with its summary and newest transactions (WalletDetail), then its balance chart.
        var page = await Timing.RunAsync(runs, async () =>
        {
            var id = walletIds[random.Next(walletIds.Count)];
            var summary = await reads.GetAsync(id) ?? throw new InvalidOperationException("no wallet");
            await reads.GetHistoryAsync(summary.Id, 20);
        });
        row($"Wallet page: summary and newest 20 transactions (WalletQueries as {BenchUsers.Support}) (p50/p95)", Timing.Ms(page), "p95 < 50 ms", check(page.P95 < 50), values: Timing.P(page));
    }
}

public static class Timing
{
    public static string Ms((double P50, double P95) x) => $"{x.P50:F2} / {x.P95:F2} ms";

    public static Dictionary<string, double> P((double P50, double P95) x) => new() { ["p50Ms"] = x.P50, ["p95Ms"] = x.P95 };

    /// <summary>Warm-up calls first (connection pool, JIT, plan cache), then <paramref name="runs"/> timed calls.</summary>
    public static async Task<(double P50, double P95)> RunAsync(int runs, Func<Task> body)
    {
        for (var i = 0; i < Math.Min(20, runs); i++) await body();
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
