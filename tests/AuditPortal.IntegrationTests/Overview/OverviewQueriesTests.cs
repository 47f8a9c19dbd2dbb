namespace AuditPortal.IntegrationTests.Overview;

public sealed class OverviewFixture : PortalHostFixture
{
    public static readonly DemoOptions Options = DemoOptions.Small with { IncludePortalAcl = false };
    public List<DemoEvent> Generated { get; } = [];
    public const string AliceName = "Alice Liddell";
    public const string AdminName = "Ada Admin";

    // The overview's daily read model, as the portal registers it.
    protected override void Configure(IServiceCollection services) => services.AddOverviewQueries();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Generated.AddRange(DemoHistory.Generate(Options));
        await DemoHistory.SeedAsync(Store, Options);
        await GrantPersonaAsync("carol", Personas.Auditor);
        await GrantPersonaAsync("alice", Personas.Support);
        // Display names the overview's lists show beside the subjects (from sign-ins, at today's clock: outside the demo's days).
        await Get<SignInLog>().SignedInAsync("alice", AliceName, "oidc", null, "overview-alice");
        await Get<SignInLog>().SignedInAsync(Admin, AdminName, "oidc", null, "overview-admin");
        await WaitForProjectionsAsync();
    }
}

/// <summary>The clock stands at the end of the demo history, so "today" and "this week" hold known events.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

public class OverviewQueriesTests(OverviewFixture fixture) : IClassFixture<OverviewFixture>
{
    private static readonly DateTimeOffset Now = OverviewFixture.Options.End;

    private OverviewQueries QueriesFor(string user) =>
        new(fixture.Store, new FixedActor(PortalHostFixture.Actor(user)), new FixedClock(Now));

    [Fact]
    public async Task Given_each_persona_When_asking_which_groups_to_show_Then_each_sees_only_its_own()
    {
        Assert.Equal(new OverviewPersonas(true, false, false), await QueriesFor("alice").PersonasAsync());
        Assert.Equal(new OverviewPersonas(false, true, false), await QueriesFor("carol").PersonasAsync());
        Assert.Equal(new OverviewPersonas(true, true, true), await QueriesFor(PortalHostFixture.Admin).PersonasAsync());
        Assert.Equal(new OverviewPersonas(false, false, false), await QueriesFor("nobody").PersonasAsync());
    }

    [Fact]
    public async Task Given_the_demo_history_When_support_opens_the_overview_Then_today_and_this_week_equal_the_generated_credits()
    {
        var overview = await QueriesFor("alice").SupportAsync();

        CreditTotals Expected(DateTimeOffset from)
        {
            var events = fixture.Generated.Where(e => e.At >= from).ToList();
            var grants = events.Select(e => e.Data).OfType<CreditsGranted>().ToList();
            var spends = events.Select(e => e.Data).OfType<CreditsSpent>().ToList();
            return new CreditTotals(grants.Sum(g => (long)g.Amount), spends.Sum(s => (long)s.Amount), grants.Count, spends.Count);
        }
        Assert.Equal(Expected(OverviewQueries.DayStart(Now)), overview.Today);
        Assert.Equal(Expected(OverviewQueries.WeekStart(Now)), overview.ThisWeek);
        Assert.True(overview.ThisWeek.Grants > 0);
        var walletsToday = fixture.Generated.Where(e => e.At >= OverviewQueries.DayStart(Now) && e.StreamType == typeof(Wallet)).Select(e => e.StreamId).Distinct().Count();
        Assert.Equal(walletsToday, overview.WalletsChangedToday);

        // Wallets, jobs and lists only: the demo's approval requests are listed by the overview's approvals tiles instead.
        var mine = fixture.Generated.Where(e => e.UserName == "alice" && e.StreamType != typeof(AuditPortal.Core.Approvals.ApprovalRequest))
            .Reverse().Take(OverviewQueries.ListLength).ToList();
        Assert.Equal(mine.Select(e => (e.StreamId, e.At)), overview.MyLastActions.Select(e => (e.StreamId, e.At)));
        Assert.All(overview.MyLastActions, e => Assert.Equal("alice", e.Actor));
        Assert.All(overview.MyLastActions, e => Assert.Equal(OverviewFixture.AliceName, e.ActorName));
    }

    [Fact]
    public async Task Given_the_demo_history_When_an_auditor_opens_the_overview_Then_daily_counts_actors_and_sensitive_events_match_the_history()
    {
        var overview = await QueriesFor("carol").AuditorAsync();

        Assert.Equal(OverviewQueries.EventsPerDayWindow, overview.EventsPerDay.Count);
        var byDay = fixture.Generated.GroupBy(e => DateOnly.FromDateTime(e.At.UtcDateTime)).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.All(overview.EventsPerDay, d => Assert.Equal(byDay.GetValueOrDefault(d.Day), d.Events));
        Assert.True(overview.EventsPerDay.Count(d => d.Events > 0) > 60);

        var actors = fixture.Generated.Where(e => e.At >= overview.ActorsFrom).GroupBy(e => e.UserName).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.NotEmpty(overview.MostActiveActors);
        Assert.All(overview.MostActiveActors, a => Assert.Equal(actors[a.Actor], a.Events));
        Assert.Equal(actors.Values.Max(), overview.MostActiveActors[0].Events);
        // Names beside subjects where a sign-in gave one; the others stay bare.
        Assert.Contains(overview.MostActiveActors, a => a.Actor == "alice");
        Assert.All(overview.MostActiveActors, a => Assert.Equal(a.Actor == "alice" ? OverviewFixture.AliceName : null, a.ActorName));

        Assert.All(overview.SensitiveEvents, e => Assert.Contains(e.EventType, OverviewQueries.SensitiveEventTypes));
        Assert.All(overview.SensitiveEvents, e => Assert.True(e.At >= Now.AddDays(-7) || e.Actor == PortalHostFixture.Admin));
    }

    [Fact]
    public async Task Given_an_admin_When_opening_the_overview_Then_projection_health_and_the_latest_acl_changes_are_there()
    {
        var overview = await QueriesFor(PortalHostFixture.Admin).AdminAsync();

        Assert.NotNull(overview.Projections);
        Assert.NotEmpty(overview.Projections!);
        var latest = overview.AclChanges!.First();
        Assert.Equal("permission_granted", latest.EventType);
        Assert.Contains("alice", latest.Summary);
        Assert.Equal(Resources.PortalAclId, latest.StreamId);
        Assert.Equal(PortalHostFixture.Admin, latest.Actor);
        Assert.Equal(OverviewFixture.AdminName, latest.ActorName);
    }

    /// <summary>
    /// No sealer runs in this fixture: as the superuser, a sealing round is recorded an hour ago that saw every event
    /// (time is moved, never waited for), so they have waited an hour for their seals. The admin's overview says sealing
    /// has stopped (the same rule as /health), and keeps up once everything committed is sealed.
    /// </summary>
    [Fact]
    public async Task Given_events_long_unsealed_When_an_admin_opens_the_overview_Then_sealing_shows_degraded_until_they_are_sealed()
    {
        OverviewQueries Queries() => new(fixture.Store, new FixedActor(PortalHostFixture.Actor(PortalHostFixture.Admin)), new FixedClock(Now),
            sealing: AuditPortal.Core.Integrity.SealerBounds.Default);
        await using (var conn = new Npgsql.NpgsqlConnection(fixture.ConnectionString))
        {
            await conn.OpenAsync();
            await using var mark = new Npgsql.NpgsqlCommand(
                $"insert into auditportal.{AuditPortal.Core.Integrity.EventSeals.MarksTableName} (own_xid, last_value, writers, recorded_at) " +
                "select '1', max(seq_id), '{}', now() - interval '1 hour' from auditportal.mt_events", conn);
            await mark.ExecuteNonQueryAsync();
        }

        var stopped = await Queries().AdminAsync();
        Assert.NotNull(stopped.Sealing);
        Assert.Contains("waited", stopped.SealingProblem);

        await using (var conn = new Npgsql.NpgsqlConnection(fixture.ConnectionString))
        {
            await conn.OpenAsync();
            await AuditPortal.Core.Integrity.EventSeals.SealCommittedAsync(conn, "auditportal");
        }
        var sealedNow = await Queries().AdminAsync();
        Assert.Null(sealedNow.SealingProblem);
        // Without the projections half (an ACL editor only) nothing about sealing is read.
        Assert.Null((await QueriesFor(PortalHostFixture.Admin).AdminAsync()).Sealing);
    }

    [Fact]
    public async Task Given_support_or_nobody_When_calling_queries_of_another_persona_Then_access_is_denied_naming_the_permission()
    {
        var denied = await Assert.ThrowsAsync<AccessDeniedException>(() => QueriesFor("alice").AuditorAsync());
        Assert.Equal(Permission.ReadAudit, denied.Missing);
        Assert.Equal(Permission.GrantCredits, (await Assert.ThrowsAsync<AccessDeniedException>(() => QueriesFor("carol").SupportAsync())).Missing);
        await Assert.ThrowsAsync<AccessDeniedException>(() => QueriesFor("carol").AdminAsync());
        await Assert.ThrowsAsync<AccessDeniedException>(() => new ActivityHistogram(fixture.Store, new FixedActor(PortalHostFixture.Actor("alice"))).CountAsync(AuditFilter.None));
    }

    [Fact]
    public async Task Given_a_filter_When_counting_the_histogram_Then_the_buckets_add_up_to_the_matching_events_and_cover_the_range()
    {
        var histogram = new ActivityHistogram(fixture.Store, new FixedActor(PortalHostFixture.Actor("carol")));

        // Up to a day past the demo's end: alice's sign-in (the fixture's, for display names) happens at today's clock, weeks later.
        var all = await histogram.CountAsync(AuditFilter.None with { Actor = "alice", To = Now.AddDays(1) });
        Assert.Equal(fixture.Generated.Count(e => e.UserName == "alice"), all.Total);
        Assert.Equal(TimeSpan.FromDays(7), all.BucketSize);
        Assert.InRange(all.Buckets.Count, 2, ActivityHistogram.MaxBuckets);

        var from = Now.AddDays(-2);
        var narrowed = await histogram.CountAsync(AuditFilter.None with { From = from, To = Now });
        Assert.Equal(TimeSpan.FromHours(1), narrowed.BucketSize);
        Assert.Equal(fixture.Generated.Count(e => e.At >= from && e.At < Now), narrowed.Total);

        var none = await histogram.CountAsync(AuditFilter.None with { Actor = "nobody-at-all" });
        Assert.Empty(none.Buckets);
    }

    [Fact]
    public async Task Given_the_daily_read_model_When_counting_by_actor_type_stream_type_and_partial_days_Then_every_bucket_equals_the_events_themselves_also_after_a_rebuild()
    {
        var histogram = new ActivityHistogram(fixture.Store, new FixedActor(PortalHostFixture.Actor("carol")));
        // Every event as the explorer filters it, read straight from Marten's tables.
        var events = new List<(DateTimeOffset At, string User, string Type, string StreamType)>();
        var schema = fixture.Store.Options.Events.DatabaseSchemaName;
        events.AddRange(await Sql.QueryAsync(fixture.ConnectionString,
            $"select e.timestamp, coalesce(e.user_name, ''), e.type, coalesce(s.type, '') from {schema}.mt_events e left join {schema}.mt_streams s on s.id = e.stream_id",
            reader => (reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2), reader.GetString(3))));
        // Not on whole days, so both ends are partial days counted from the events and the middle from the read model.
        var from = Now.AddDays(-40).AddHours(-5).AddMinutes(-7);
        AuditFilter[] filters =
        [
            AuditFilter.None,
            AuditFilter.None with { EventType = "credits_granted" },
            AuditFilter.None with { StreamType = AuditTypeNames.Wallet, From = from, To = Now },
            AuditFilter.None with { Actor = "sam", From = from, To = Now.AddHours(-3) },
            AuditFilter.None with { Actor = "alice", EventType = "credits_spent", StreamType = AuditTypeNames.Wallet },
        ];
        async Task<List<ActivityHistogramResult>> CountAllAsync()
        {
            var results = new List<ActivityHistogramResult>();
            foreach (var filter in filters) results.Add(await histogram.CountAsync(filter));
            return results;
        }

        var before = await CountAllAsync();
        for (var i = 0; i < filters.Length; i++)
        {
            var f = filters[i];
            var matching = events.Where(e => (f.Actor is null || e.User == f.Actor) && (f.EventType is null || AuditTypeNames.Logical(e.Type) == f.EventType)
                                             && (f.StreamType is null || e.StreamType == f.StreamType)).ToList();
            Assert.True(before[i].BucketSize >= TimeSpan.FromDays(1), $"{f.Describe()}: whole-day buckets, so the read model answers");
            Assert.True(before[i].Total > 0, f.Describe());
            // The first and last bars count only the part of their bucket inside the range.
            var r = before[i];
            Assert.All(r.Buckets, b => Assert.Equal(matching.Count(e => e.At >= b.From && e.At >= r.From && e.At < b.To && e.At < r.To), b.Events));
            Assert.Equal(matching.Count(e => e.At >= r.From && e.At < r.To), r.Total);
        }

        var operations = new ProjectionOperations(fixture.Store, TimeProvider.System, fixture.Get<JasperFx.Events.Daemon.IProjectionCoordinator>());
        var rebuilt = await operations.RebuildAsync(PortalHostFixture.Actor(PortalHostFixture.Admin), new RebuildRequest(DailyActivityProjection.ProjectionName));
        Assert.True(rebuilt.Succeeded, rebuilt.Error);
        Assert.Contains(DailyActivityProjection.ProjectionName, (await operations.StatusAsync()).Select(p => p.Name));
        // The rebuild records itself on the operations stream: the unfiltered whole history (the first filter) grows by those events.
        var after = await CountAllAsync();
        Assert.Equal(before.Skip(1).Select(r => r.Buckets.ToList()), after.Skip(1).Select(r => r.Buckets.ToList()));
    }

    [Fact]
    public async Task Given_a_wallet_When_loading_its_balance_history_Then_every_step_is_the_running_balance_of_its_stream()
    {
        var walletId = fixture.Generated.Where(e => e.StreamType == typeof(Wallet)).GroupBy(e => e.StreamId).MaxBy(g => g.Count())!.Key;
        var steps = await new WalletBalanceHistory(fixture.Store, new FixedActor(PortalHostFixture.Actor("alice"))).LoadAsync(walletId);

        var expected = 0;
        var events = fixture.Generated.Where(e => e.StreamId == walletId).ToList();
        Assert.Equal(events.Count, steps.Count);
        foreach (var (e, step) in events.Zip(steps))
        {
            expected += e.Data switch { CreditsGranted g => g.Amount, CreditsSpent s => -s.Amount, _ => 0 };
            Assert.Equal((expected, e.At), (step.Balance, step.At));
        }
        await Assert.ThrowsAsync<AccessDeniedException>(() => new WalletBalanceHistory(fixture.Store, new FixedActor(PortalHostFixture.Actor("nobody"))).LoadAsync(walletId));
    }
}
