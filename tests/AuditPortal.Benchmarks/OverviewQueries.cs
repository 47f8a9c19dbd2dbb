using AuditPortal.Core.Overview;
using Npgsql;

namespace AuditPortal.Benchmarks;

/// <summary>
/// The overview tiles and charts as the portal asks them: through the services the pages call, each as the signed-in
/// persona who sees it (alice for support, carol for audit, admin for administration), so every query pays its real
/// permission check. The clock stands on the last evening of the bulk history's year, where every day holds a full
/// day's events, so "today", "this week" and "the last 90 days" are as busy as the history gets.
/// </summary>
public static class OverviewBenchmarks
{
    private sealed class At(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    public static async Task RunAsync(IDocumentStore store, int runs, IReadOnlyList<Guid> walletIds, RowSink row, Func<bool, string> check)
    {
        var now = new BulkHistoryOptions().Start.AddDays(364).AddHours(18);
        var clock = new At(now);
        OverviewQueries As(string user) => new(store, BenchUsers.As(user), clock, new ProjectionOperations(store, clock));
        var support = As(BenchUsers.Support);
        var auditor = As(BenchUsers.Auditor);
        var admin = As(BenchUsers.Admin);
        var histogram = new ActivityHistogram(store, BenchUsers.As(BenchUsers.Auditor));
        var random = new Random(7);

        void Row(string what, (double P50, double P95) x) =>
            row(what + " (p50/p95)", Timing.Ms(x), "p95 < 50 ms", check(x.P95 < 50), values: Timing.P(x));

        var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ')[..3] : ["?"];
        row("Load average (1/5/15 min) when the overview rows started", string.Join(" / ", load));

        OverviewQueries[] everyone = [support, auditor, admin];
        Row($"Overview: which groups the user sees (PersonasAsync, as {BenchUsers.Support}/{BenchUsers.Auditor}/{BenchUsers.Admin})",
            await Timing.RunAsync(runs, () => everyone[random.Next(everyone.Length)].PersonasAsync()));
        Row($"Overview, support (as {BenchUsers.Support}): credits today/this week, wallets changed today, my last 10 actions",
            await Timing.RunAsync(runs, () => support.SupportAsync()));
        Row($"Overview, auditor (as {BenchUsers.Auditor}): events per day (90 days), most active actors (7 days), sensitive events",
            await Timing.RunAsync(runs, () => auditor.AuditorAsync()));
        Row($"Overview, admin (as {BenchUsers.Admin}): projection status and the latest ACL changes",
            await Timing.RunAsync(runs, () => admin.AdminAsync()));

        // The explorer opens unfiltered (the whole history), then narrows.
        Row($"Explorer histogram (as {BenchUsers.Auditor}): no filter, whole history",
            await Timing.RunAsync(runs, () => histogram.CountAsync(AuditFilter.None)));
        Row("Explorer histogram: one actor over 30–300 days",
            await Timing.RunAsync(runs, () => histogram.CountAsync(AuditFilter.None with { Actor = BulkHistory.Staff[random.Next(BulkHistory.Staff.Length)], From = now.AddDays(-random.Next(30, 300)), To = now })));
        Row("Explorer histogram: one event type, whole history",
            await Timing.RunAsync(runs, () => histogram.CountAsync(AuditFilter.None with { EventType = random.Next(2) == 0 ? "credits_granted" : "credits_spent" })));
        Row("Explorer histogram: stream type wallet, last 7 days",
            await Timing.RunAsync(runs, () => histogram.CountAsync(AuditFilter.None with { StreamType = AuditTypeNames.Wallet, From = now.AddDays(-7), To = now })));
        Row("Explorer histogram: one selected bar (a day, hourly bars)",
            await Timing.RunAsync(runs, () =>
            {
                var day = OverviewQueries.DayStart(now).AddDays(-random.Next(1, 300));
                return histogram.CountAsync(AuditFilter.None with { From = day, To = day.AddDays(1) });
            }));
        Row("Explorer histogram: one wallet's stream",
            await Timing.RunAsync(runs, () => histogram.CountAsync(AuditFilter.None with { StreamId = walletIds[random.Next(walletIds.Count)] })));
        Row($"Wallet balance chart (WalletBalanceHistory as {BenchUsers.Support}): one wallet's steps",
            await Timing.RunAsync(runs, () => new WalletBalanceHistory(store, BenchUsers.As(BenchUsers.Support)).LoadAsync(walletIds[random.Next(walletIds.Count)])));

        // References: the same counts from the event table itself, as before the daily read model (no page runs these).
        var schema = store.Options.Events.DatabaseSchemaName;
        async Task RawAsync(string sql, DateTimeOffset from, DateTimeOffset to)
        {
            await using var conn = store.Options.Tenancy.Default.Database.CreateConnection();
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.AddWithValue("from", from);
            cmd.Parameters.AddWithValue("to", to);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) { }
        }
        var dayEnd = OverviewQueries.DayStart(now).AddDays(1);
        var rawDays = await Timing.RunAsync(Math.Min(runs, 50), () => RawAsync(
            $"select (e.timestamp at time zone 'UTC')::date, count(*) from {schema}.mt_events e where e.timestamp >= @from and e.timestamp < @to group by 1",
            dayEnd.AddDays(-OverviewQueries.EventsPerDayWindow), dayEnd));
        row("  reference: events per day (90 days) counted from mt_events instead (p50/p95)", Timing.Ms(rawDays), "none (no page uses it)", PageQueries.Reference, "reference", Timing.P(rawDays));
        var rawAll = await Timing.RunAsync(Math.Min(runs, 50), () => RawAsync(
            $"select floor(extract(epoch from e.timestamp - @from) / 604800)::bigint, count(*) from {schema}.mt_events e where e.timestamp >= @from and e.timestamp < @to group by 1",
            DateTimeOffset.UnixEpoch, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        row("  reference: whole-history weekly histogram counted from mt_events instead (p50/p95)", Timing.Ms(rawAll), "none (no page uses it)", PageQueries.Reference, "reference", Timing.P(rawAll));
    }
}
