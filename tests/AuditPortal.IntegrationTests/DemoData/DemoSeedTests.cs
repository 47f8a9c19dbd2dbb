namespace AuditPortal.IntegrationTests.DemoData;

public sealed class DemoSeedFixture : PortalHostFixture
{
    public DemoSeedSummary Seeded { get; private set; } = null!;
    public List<DemoEvent> Generated { get; } = [];
    public TimeSpan SeedTime { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // The host has bootstrapped the portal's list already; the demo adds the marketplace and the other lists.
        var options = DemoOptions.Small with { IncludePortalAcl = false };
        Generated.AddRange(DemoHistory.Generate(options));
        var started = System.Diagnostics.Stopwatch.StartNew();
        Seeded = await DemoHistory.SeedAsync(Store, options);
        SeedTime = started.Elapsed;
        await WaitForProjectionsAsync();
    }
}

public class DemoSeedTests(DemoSeedFixture fixture, ITestOutputHelper output) : IClassFixture<DemoSeedFixture>
{
    [Fact]
    public async Task Given_the_imported_history_When_the_sealer_follows_the_high_water_mark_Then_every_event_is_sealed_and_the_chain_verifies()
    {
        output.WriteLine($"Seeded {fixture.Seeded.Events} events in {fixture.SeedTime.TotalSeconds:F2} s");
        await using var conn = new NpgsqlConnection(fixture.ConnectionString);
        await conn.OpenAsync();
        const string schema = "auditportal";
        await EventSeals.EnsureTableAsync(conn, schema);
        await EventSeals.SealCommittedAsync(conn, schema);
        var verified = await EventSeals.VerifyAsync(conn, schema);

        await using var query = fixture.Store.QuerySession();
        var total = await query.Events.QueryAllRawEvents().CountAsync();
        Assert.True(verified.Intact);
        Assert.Equal((long)total, verified.VerifiedEvents);
    }

    [Fact]
    public async Task Given_the_seeded_history_When_reading_martens_event_table_Then_every_event_carries_its_historic_time_in_time_order()
    {
        await using var query = fixture.Store.QuerySession();
        var stored = await query.Events.QueryAllRawEvents().Where(e => e.Sequence > 0).OrderBy(e => e.Sequence).ToListAsync();
        var imported = stored.SkipWhile(e => e.StreamId == Resources.PortalAclId).ToList();
        var expected = fixture.Generated.ToDictionary(e => (e.StreamId, e.Version), e => e.At);

        Assert.Equal(fixture.Generated.Count, imported.Count);
        Assert.All(imported, e => Assert.Equal(expected[(e.StreamId, e.Version)], e.Timestamp));
        Assert.Equal(imported.Select(e => e.Timestamp).Order(), imported.Select(e => e.Timestamp));
        Assert.True(imported[^1].Timestamp - imported[0].Timestamp > TimeSpan.FromDays(150));
    }

    [Fact]
    public async Task Given_the_seeded_history_When_reading_the_event_store_Then_every_generated_event_is_stored_with_its_command_metadata()
    {
        Assert.Equal((4000, 120, 45), (fixture.Seeded.Events, fixture.Seeded.Wallets, fixture.Seeded.Jobs));
        await using var query = fixture.Store.QuerySession();
        var sample = fixture.Generated.First(e => e.Data is JobLaunched);
        var stored = (await query.Events.FetchStreamAsync(sample.StreamId)).Single(e => e.Version == sample.Version);
        Assert.Equal((sample.UserName, sample.CorrelationId, sample.CommandId.ToString()), (stored.UserName, stored.CorrelationId, stored.CausationId));
        Assert.Equal(((JobLaunched)sample.Data).LaunchedAt, ((JobLaunched)stored.Data).LaunchedAt);
        var spend = (await query.Events.FetchStreamAsync(((JobLaunched)sample.Data).OwnerWalletId)).Single(e => e.CausationId == sample.CommandId.ToString());
        Assert.Equal(SpendTypes.JobLaunch, ((CreditsSpent)spend.Data).Type);

        // The history mixes both versions of a grant, as a store would after the upgrade: the first half's as v1.
        var versions = await Sql.QueryAsync(fixture.ConnectionString,
            "select type, count(*), count(*) filter (where data ? 'source') from mt_events where type like 'credits_granted%' group by type order by type",
            r => (r.GetString(0), r.GetInt64(1) > 0, r.GetInt64(2)));
        Assert.Equal(["credits_granted", "credits_granted_v2"], versions.Select(v => v.Item1));
        Assert.All(versions, v => Assert.True(v.Item2));
        Assert.Equal(0, versions[0].Item3);
        var upgradedAt = DemoHistory.UpgradedAt(fixture.Generated);
        var grants = (await query.Events.QueryAllRawEvents().Where(e => e.EventTypeName == "credits_granted").ToListAsync()).Select(e => (CreditsGranted)e.Data);
        Assert.All(grants, g => Assert.True(g.GrantedAt < upgradedAt));
    }

    [Fact]
    public async Task Given_the_seeded_history_When_the_daemon_has_caught_up_Then_every_balance_equals_grants_minus_spends_in_its_stream()
    {
        await using var query = fixture.Store.QuerySession();
        var walletIds = fixture.Generated.Where(e => e.Data is WalletOpened).Select(e => e.StreamId).ToList();
        var replayed = new Dictionary<Guid, int>();
        foreach (var id in walletIds)
        {
            var events = await query.Events.FetchStreamAsync(id);
            replayed[id] = events.Sum(e => e.Data switch { CreditsGranted g => g.Amount, CreditsSpent s => -s.Amount, _ => 0 });
        }
        var summaries = (await query.Query<WalletSummary>().ToListAsync()).ToDictionary(s => s.Id);
        var positive = await Sql.PositiveBalancesAsync(fixture.ConnectionString);

        Assert.Equal(walletIds.Order(), summaries.Keys.Order());
        Assert.All(walletIds, id => Assert.Equal(replayed[id], summaries[id].Balance));
        Assert.Equal(replayed.Where(x => x.Value > 0).OrderBy(x => x.Key), positive.OrderBy(x => x.Key));
        Assert.True(positive.Count > walletIds.Count / 2);
    }

    [Fact]
    public async Task Given_the_seeded_history_When_the_daemon_has_caught_up_Then_every_job_and_every_list_has_its_view()
    {
        await using var query = fixture.Store.QuerySession();
        var jobIds = fixture.Generated.Where(e => e.Data is JobPosted).Select(e => e.StreamId).ToList();
        var views = await query.LoadManyAsync<JobOwnerView>(jobIds);
        Assert.Equal(jobIds.Count, views.Count);
        foreach (var view in views)
        {
            var state = JobHistory.Replay(fixture.Generated.Where(e => e.StreamId == view.Id).Select(e => e.Data))!;
            Assert.Equal((state.Status, state.Participants.Count), (view.Status, view.Applicants.Count));
        }
        var aclCount = fixture.Generated.Count(e => e.Data is AccessControlListCreated);
        Assert.Equal(aclCount + 1, await query.Query<AccessControlListView>().CountAsync());
    }

    [Fact]
    public async Task Given_the_seeded_history_When_an_admin_opens_the_approvals_page_Then_every_demo_request_is_listed_with_its_outcome_and_the_open_ones_wait()
    {
        var requests = fixture.Generated.Where(e => e.StreamType == typeof(ApprovalRequest)).GroupBy(e => e.StreamId)
            .ToDictionary(g => g.Key, g => (State: ApprovalRequestHistory.Replay(g.Select(e => e.Data))!, g.First().CorrelationId));
        var reads = new ApprovalQueries(fixture.Store, new FixedActor(PortalHostFixture.Actor(PortalHostFixture.Admin)));

        var all = await reads.ListAsync(new ApprovalListQuery(ApprovalView.All, PendingOnly: false, PageSize: ApprovalQueries.MaxPageSize));
        var waiting = await reads.WaitingForMeAsync();

        Assert.Equal(requests.Keys.Order(), all.Items.Select(x => x.Id).Order());
        Assert.All(all.Items, x => Assert.Equal(
            (requests[x.Id].State.Status, requests[x.Id].State.DecidedBy, requests[x.Id].State.ExpiresAt, requests[x.Id].CorrelationId),
            (x.Status, x.DecidedBy, x.ExpiresAt, x.CorrelationId)));
        Assert.Equal(requests.Values.Count(r => r.State.Status == ApprovalStatus.Pending), waiting);
        Assert.True(waiting >= 3);
        Assert.Equal([ApprovalStatus.Pending, ApprovalStatus.Approved, ApprovalStatus.Rejected, ApprovalStatus.Withdrawn, ApprovalStatus.Expired],
            all.Items.Select(x => x.Status).Distinct().Order());
    }
}
