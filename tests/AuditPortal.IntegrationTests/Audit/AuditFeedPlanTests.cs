namespace AuditPortal.IntegrationTests.Audit;

/// <summary>A database of its own filled straight through SQL with many events, so the plans are the ones of a big table.</summary>
public class BulkAuditFixture : PortalHostFixture, IAsyncLifetime
{
    /// <summary>200,000 by default to keep the suite quick; AUDIT_PLAN_EVENTS=1000000 measures the full size.</summary>
    public int Events { get; } = int.TryParse(Environment.GetEnvironmentVariable("AUDIT_PLAN_EVENTS"), out var n) ? n : 200_000;
    public const int Streams = 10_000;
    public Guid SomeStream { get; private set; }
    public TimeSpan LoadTime { get; private set; }

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        var perStream = Events / Streams;
        var schema = Store.Options.Events.DatabaseSchemaName;
        var watch = Stopwatch.StartNew();
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        // Streams n = 1..10,000 (every 10th a job); events interleaved across streams like real traffic, 50 actors, three event types;
        // one correlation id per stream (an operation's few events) and one causation id per event (a command's).
        // Loaded as the superuser with triggers off, as a restore of a large history would be: the binding trigger
        // refuses these made-up rows, and this fixture measures query plans, not binding.
        var sql = $"""
            set session_replication_role = replica;
            create temp table bulk_streams as select n, gen_random_uuid() as id from generate_series(1, {Streams}) n;
            insert into {schema}.mt_streams (id, type, version, timestamp, created, is_archived)
              select id, case when n % 10 = 0 then 'job' else 'wallet' end, {perStream}, now(), now(), false from bulk_streams;
            insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type, correlation_id, causation_id, user_name, is_archived)
              select nextval('{schema}.mt_events_sequence'), gen_random_uuid(), s.id, v,
                     jsonb_build_object('walletId', s.id, 'amount', v, 'grantedBy', 'user' || ((s.n + v) % 50), 'reason', 'bulk ' || s.n || '/' || v),
                     (array['credits_granted', 'credits_spent', 'wallet_opened'])[1 + (s.n + v) % 3],
                     timestamp '2026-01-01' + ((v * {Streams} + s.n) * interval '1 second'),
                     'AuditPortal.Core.Wallets.CreditsGranted, AuditPortal.Core', 'corr-' || s.n, 'cause-' || s.n || '-' || v, 'user' || ((s.n + v) % 50), false
              from generate_series(1, {perStream}) v cross join bulk_streams s
              order by v, s.n;
            set session_replication_role = origin;
            select id from bulk_streams where n = 4242;
            """;
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 600 };
        SomeStream = (Guid)(await cmd.ExecuteScalarAsync())!;
        // What autovacuum does to a live table: statistics, and the visibility map that makes index-only scans index-only.
        await using var vacuum = new NpgsqlCommand($"vacuum analyze {schema}.mt_events", conn) { CommandTimeout = 600 };
        await vacuum.ExecuteNonQueryAsync();
        await using var vacuumStreams = new NpgsqlCommand($"vacuum analyze {schema}.mt_streams", conn) { CommandTimeout = 600 };
        await vacuumStreams.ExecuteNonQueryAsync();
        LoadTime = watch.Elapsed;
    }
}

public class AuditFeedPlanTests(BulkAuditFixture fixture, ITestOutputHelper output) : IClassFixture<BulkAuditFixture>
{
    private AuditFeed Feed => new(fixture.Store, new AuditPortal.Core.Common.FixedActor(AuditPortal.Core.Common.Actor.System("test")));

    public static TheoryData<string> Filters => new() { "none", "actor", "eventType", "streamType", "streamId", "timeRange", "recentWindow", "wideRange", "deepPage", "actorAndType", "actorInTimeRange", "correlation", "command" };

    private AuditFilter FilterFor(string name) => name switch
    {
        "actor" => new AuditFilter { Actor = "user7" },
        "eventType" => new AuditFilter { EventType = "credits_spent" },
        "streamType" => new AuditFilter { StreamType = "job" },
        "streamId" => new AuditFilter { StreamId = fixture.SomeStream },
        "timeRange" => new AuditFilter { From = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero), To = new DateTimeOffset(2026, 1, 1, 13, 0, 0, TimeSpan.Zero) },
        "recentWindow" => new AuditFilter { From = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(fixture.Events - 3600) },
        "wideRange" => new AuditFilter { From = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), To = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(fixture.Events - 3600) },
        "actorInTimeRange" => new AuditFilter { Actor = "user7", From = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero), To = new DateTimeOffset(2026, 1, 1, 13, 0, 0, TimeSpan.Zero) },
        "actorAndType" => new AuditFilter { Actor = "user7", EventType = "credits_spent" },
        "correlation" => new AuditFilter { Correlation = "corr-4242" },
        "command" => new AuditFilter { Command = "cause-4242-7" },
        _ => AuditFilter.None,
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Given_a_large_event_table_When_each_filter_pages_Then_it_uses_an_index_never_a_scan(string name)
    {
        var filter = FilterFor(name);
        long? before = name == "deepPage" ? 1_000 : null;

        var plan = await Feed.ExplainAsync(filter, before);
        await Feed.QueryAsync(filter, before);
        var watch = Stopwatch.StartNew();
        var page = await Feed.QueryAsync(filter, before);
        var elapsed = watch.Elapsed;
        output.WriteLine($"{fixture.Events:N0} events (loaded in {fixture.LoadTime.TotalSeconds:F1} s); filter {name}: {page.Entries.Count} rows in {elapsed.TotalMilliseconds:F1} ms\n{plan}");

        Assert.DoesNotContain("Seq Scan on mt_events", plan);
        Assert.Contains("Index", plan);
        // A time window is first probed for its sequence range through the (timestamp, seq_id) index, which can answer it
        // alone (an index-only scan once vacuum has marked the pages; whether it has is the planner's business).
        if (filter.From is not null || filter.To is not null) Assert.Contains("ix_mt_events_timestamp_seq", plan);
        if (filter.Correlation is not null) Assert.Contains("ix_mt_events_correlation", plan);
        if (filter.Command is not null) Assert.Contains("ix_mt_events_causation", plan);
        Assert.NotEmpty(page.Entries);
        Assert.Equal(page.Entries.OrderByDescending(e => e.Sequence).Select(e => e.Sequence), page.Entries.Select(e => e.Sequence));
    }
}
