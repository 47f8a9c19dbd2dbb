using AuditPortal.Core.Approvals;

namespace AuditPortal.Benchmarks;

/// <summary>
/// The approvals page with 10,000 open requests beside the history: imported as the history was (binary COPY, every
/// event bound, run by the <paramref name="importer"/> store as the superuser), their page rows folded by the
/// projection's rules as the demo import does, then timed through <see cref="ApprovalQueries"/> exactly as the page and
/// the navigation count call it, each as the signed-in persona who sees it.
/// </summary>
public static class ApprovalBenchmarks
{
    public const int OpenRequests = 10_000;

    /// <param name="importer">A store of the schema owner or superuser: only it may import events with their own times.</param>
    public static async Task RunAsync(IDocumentStore store, IDocumentStore importer, IReadOnlyList<Guid> walletIds, long historyEvents, int runs,
        RowSink row, Func<bool, string> check)
    {
        var random = new Random(11);
        // On the last day of the bulk history, 5 s apart, by the three staff members other than the admin who approves.
        var first = new BulkHistoryOptions().Start.AddDays(364);
        string[] requesters = [BenchUsers.Support, "sam", "dave"];
        var streams = new List<(Guid Id, List<object> Events)>(OpenRequests);
        for (var i = 0; i < OpenRequests; i++)
        {
            var id = Guid.CreateVersion7();
            var wallet = walletIds[random.Next(walletIds.Count)];
            var at = first.AddSeconds(5 * i);
            streams.Add((id, [new ApprovalRequested(id, ApprovalAction.GrantCredits, wallet, $"wallet {i}", 1, 1_001 + random.Next(9_000), null, null,
                "Benchmark: a grant above the threshold", requesters[i % requesters.Length], at, at + ApprovalPolicy.DefaultExpiry)]));
        }
        var clock = Stopwatch.StartNew();
        var imported = await BulkHistory.ImportAsync<ApprovalRequest>(importer, streams);
        await DemoHistory.StoreRequestViewsAsync(importer, imported.Select(a => a.Events));
        var seconds = clock.Elapsed.TotalSeconds;
        await using (var conn = importer.Storage.Database.CreateConnection())
        {
            // As autovacuum would soon after: the planner sees the 10,000 rows.
            await conn.OpenAsync();
            await using var analyze = new Npgsql.NpgsqlCommand($"analyze {PortalStoreSettings.DefaultSchemaName}.mt_doc_approvalrequestview", conn);
            await analyze.ExecuteNonQueryAsync();
        }
        row($"Approvals: {OpenRequests:N0} open requests imported (binary COPY, bound) with their page rows", $"{seconds:F1} s",
            values: new() { ["seconds"] = seconds, ["requests"] = OpenRequests });

        var approver = new ApprovalQueries(store, BenchUsers.As(BenchUsers.Admin));
        var toApprove = await Timing.RunAsync(runs, async () =>
        {
            var page = await approver.ListAsync(new ApprovalListQuery(ApprovalView.ToApprove, Page: random.Next(10)));
            if (page.Items.Count == 0 || page.TotalCount < OpenRequests) throw new InvalidOperationException($"{page.TotalCount} requests to approve");
        });
        row($"Approvals page as it opens (ApprovalQueries.ListAsync as {BenchUsers.Admin}): to approve, page of 50 of {OpenRequests:N0} open requests among {historyEvents:N0} events, newest first, total (p50/p95)",
            Timing.Ms(toApprove), "p95 < 20 ms", check(toApprove.P95 < 20), values: Timing.P(toApprove));

        // The count in the navigation: asked on every page an approver opens and on every change of a request.
        var count = await Timing.RunAsync(runs, async () =>
        {
            if (await approver.WaitingForMeAsync() < OpenRequests) throw new InvalidOperationException("count too low");
        });
        row($"Approvals count in the navigation (ApprovalQueries.WaitingForMeAsync as {BenchUsers.Admin}) (p50/p95)",
            Timing.Ms(count), "p95 < 20 ms", check(count.P95 < 20), values: Timing.P(count));

        var requester = new ApprovalQueries(store, BenchUsers.As(BenchUsers.Support));
        var mine = await Timing.RunAsync(runs, async () =>
        {
            var page = await requester.ListAsync(new ApprovalListQuery(ApprovalView.Mine, PendingOnly: random.Next(2) == 0, Page: random.Next(10)));
            if (page.Items.Count == 0) throw new InvalidOperationException("no requests of mine");
        });
        row($"Approvals page, mine (as {BenchUsers.Support}, a third of the requests), open or all, page of 50, total (p50/p95)",
            Timing.Ms(mine), "p95 < 20 ms", check(mine.P95 < 20), values: Timing.P(mine));
    }
}
