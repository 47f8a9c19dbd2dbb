namespace AuditPortal.IntegrationTests.Reliability;

public sealed class ConcurrencyTests(PortalHostFixture fixture, ITestOutputHelper output) : IClassFixture<PortalHostFixture>
{
    /// <summary>AUDITPORTAL_CONCURRENCY_SECONDS sets the load duration (the issue's figure is 60 s; the suite uses 15).</summary>
    private static TimeSpan Duration =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("AUDITPORTAL_CONCURRENCY_SECONDS"), out var s) ? s : 15);

    [Fact]
    public async Task Given_8_writers_on_100_wallets_When_they_grant_and_spend_for_a_while_Then_every_read_model_balance_equals_a_replay_and_none_went_negative()
    {
        await fixture.GrantPersonaAsync("alice", Personas.Support);
        var wallets = fixture.Get<WalletService>();
        var ids = await ReliabilityHost.OpenWalletsAsync(wallets, PortalHostFixture.Actor("alice"), 100);
        var statuses = new ConcurrentDictionary<CommandStatus, int>();
        var clock = Stopwatch.StartNew();
        var until = clock.Elapsed + Duration;

        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var actor = PortalHostFixture.Actor($"writer-{w}");
            actor = actor with { UserName = "alice" };
            while (clock.Elapsed < until)
            {
                var wallet = ids[random.Next(ids.Count)];
                var amount = random.Next(1, 50);
                // Spends outnumber grants, so many spends meet an empty wallet and must be refused, never go below zero.
                var result = random.Next(100) < 45
                    ? await wallets.GrantAsync(actor, Guid.CreateVersion7(), wallet, amount, "load", null)
                    : await wallets.SpendAsync(actor, Guid.CreateVersion7(), wallet, amount, "load", null);
                statuses.AddOrUpdate(result.Status, 1, (_, c) => c + 1);
            }
        })).ToArray();
        await Task.WhenAll(writers);
        var elapsed = clock.Elapsed;

        await fixture.WaitForProjectionsAsync();
        var replay = await WalletReplay.CheckAsync(fixture.Store, fixture.ConnectionString);
        var total = statuses.Values.Sum();
        output.WriteLine($"8 writers, 100 wallets, {elapsed.TotalSeconds:N0} s: {total:N0} commands ({total / elapsed.TotalSeconds:N0}/s); " +
                         string.Join(", ", statuses.OrderBy(x => x.Key).Select(x => $"{x.Value:N0} {x.Key}")) +
                         $"; replayed {replay.Events:N0} wallet events: {replay.Mismatches.Count} read-model mismatches, {replay.NegativeBalances.Count} negative running balances");
        Assert.True(statuses.GetValueOrDefault(CommandStatus.Accepted) > 100);
        Assert.Equal(0, statuses.GetValueOrDefault(CommandStatus.Unavailable));
        replay.AssertConsistent();
    }

    [Fact]
    public async Task Given_two_admins_with_the_same_version_When_both_edit_one_ACL_at_once_Then_one_succeeds_the_other_gets_conflict_and_nothing_is_lost()
    {
        await fixture.GrantPersonaAsync("dave", Personas.Admin);
        await fixture.GrantPersonaAsync("erin", Personas.Admin);
        var acl = fixture.Get<AccessControlService>();
        var aclId = Guid.CreateVersion7();
        Assert.True((await acl.CreateAsync(PortalHostFixture.Actor("dave"), Guid.CreateVersion7(), aclId, "reports", "test")).Succeeded);

        var results = await RunTogetherAsync(
            () => acl.GrantAsync(PortalHostFixture.Actor("dave"), Guid.CreateVersion7(), aclId, "sam", Permission.ReadAudit, "dave's edit", 1),
            () => acl.GrantAsync(PortalHostFixture.Actor("erin"), Guid.CreateVersion7(), aclId, "carol", Permission.ExportAudit, "erin's edit", 1));
        output.WriteLine($"two admins at version 1: {string.Join(", ", results.Select(r => $"{r.Status} ({r.Message})"))}");
        Assert.Single(results, r => r.Status == CommandStatus.Accepted);
        Assert.Single(results, r => r.Status == CommandStatus.Conflict);

        await using var query = fixture.Store.QuerySession();
        var events = await query.Events.FetchStreamAsync(aclId);
        Assert.Equal(2, events.Count);
        var view = await query.LoadAsync<AccessControlListView>(aclId);
        Assert.Equal(2, view!.Version);
        // The loser retries with the version it now sees: both edits end up in the list.
        var loser = results[0].Status == CommandStatus.Conflict ? ("dave", "sam", Permission.ReadAudit) : ("erin", "carol", Permission.ExportAudit);
        Assert.True((await acl.GrantAsync(PortalHostFixture.Actor(loser.Item1), Guid.CreateVersion7(), aclId, loser.Item2, loser.Item3, "retry", view.Version)).Succeeded);
        await using var again = fixture.Store.QuerySession();
        var final = await again.LoadAsync<AccessControlListView>(aclId);
        Assert.True(final!.Has("sam", Permission.ReadAudit) && final.Has("carol", Permission.ExportAudit));
    }

    private static async Task<CommandResult[]> RunTogetherAsync(params Func<Task<CommandResult>>[] actions)
    {
        using var start = new ManualResetEventSlim();
        var tasks = actions.Select(a => Task.Run(async () => { start.Wait(); return await a(); })).ToArray();
        start.Set();
        return await Task.WhenAll(tasks);
    }
}
