namespace AuditPortal.IntegrationTests.Audit;

/// <summary>
/// The feed decides access itself, at the moment of each read: a page left open after a revocation gets
/// AccessDeniedException at its next "load more", expansion or permalink, never data.
/// </summary>
public class AuditReadChecksTests(SeededAuditFixture fixture) : IClassFixture<SeededAuditFixture>
{
    private AuditFeed FeedFor(string user, AuditLimits? limits = null) => new(fixture.Store, new FixedActor(PortalHostFixture.Actor(user)), limits);

    private AuditExports Exports => new(fixture.Get<CommandExecutor>(), TimeProvider.System);

    [Fact]
    public async Task Given_an_auditor_revoked_while_reading_When_they_load_more_expand_or_open_a_permalink_Then_each_is_refused()
    {
        await fixture.GrantPersonaAsync("rita", Personas.Auditor);
        var feed = FeedFor("rita");
        var first = await feed.QueryAsync(AuditFilter.None, limit: 2);
        Assert.NotNull(first.NextBefore);

        var acl = fixture.Get<AccessControlService>();
        Assert.True((await acl.RevokeAsync(PortalHostFixture.Actor(PortalHostFixture.Admin), Guid.CreateVersion7(), Resources.PortalAclId, "rita", Permission.ReadAudit, "left the audit team", null)).Succeeded);
        Assert.True((await acl.RevokeAsync(PortalHostFixture.Actor(PortalHostFixture.Admin), Guid.CreateVersion7(), Resources.PortalAclId, "rita", Permission.ReadWallets, "left the audit team", null)).Succeeded);

        var loadMore = await Assert.ThrowsAsync<AccessDeniedException>(() => feed.QueryAsync(AuditFilter.None, first.NextBefore, 2));
        Assert.StartsWith("You no longer have access", loadMore.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AccessDeniedException>(() => feed.GetAsync(first.Entries[0].Sequence));
        await Assert.ThrowsAsync<AccessDeniedException>(() => new StreamStateQueries(fixture.Store, new FixedActor(PortalHostFixture.Actor("rita"))).StateAtAsync(fixture.SamWallet, 1));
        await Assert.ThrowsAsync<AccessDeniedException>(() => feed.QueryAsync(new AuditFilter { StreamId = fixture.SamWallet }));
    }

    [Fact]
    public async Task Given_support_When_they_read_a_wallet_history_or_the_whole_feed_Then_only_the_wallet_is_theirs_to_read()
    {
        await fixture.GrantPersonaAsync("alice", Personas.Support);
        var feed = FeedFor("alice");

        var wallet = await feed.QueryAsync(new AuditFilter { StreamId = fixture.AliceWallet });
        Assert.NotEmpty(wallet.Entries);
        Assert.NotNull(await feed.GetAsync(wallet.Entries[0].Sequence));
        await Assert.ThrowsAsync<AccessDeniedException>(() => feed.QueryAsync(AuditFilter.None));
        var aclEvent = (await FeedFor(PortalHostFixture.Admin).QueryAsync(new AuditFilter { StreamId = Resources.PortalAclId })).Entries[0];
        await Assert.ThrowsAsync<AccessDeniedException>(() => feed.GetAsync(aclEvent.Sequence));
    }

    [Fact]
    public async Task Given_nobody_signed_in_When_the_feed_is_read_Then_it_is_refused()
    {
        var feed = FeedFor("");

        await Assert.ThrowsAsync<AccessDeniedException>(() => feed.QueryAsync(AuditFilter.None));
        await Assert.ThrowsAsync<AccessDeniedException>(async () => { await foreach (var _ in feed.ReadAllAsync(AuditFilter.None)) { } });
    }

    [Fact]
    public async Task Given_an_over_long_filter_When_queried_Then_it_is_refused_before_any_query()
    {
        var feed = FeedFor(PortalHostFixture.Admin);

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => feed.QueryAsync(new AuditFilter { Text = new string('x', AuditFilter.MaxValueLength + 1) }));
        Assert.Contains("at most 200", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_text_search_without_a_stream_or_window_When_it_runs_Then_it_reads_a_bounded_range_says_so_and_continues_on_load_more()
    {
        var admin = FeedFor(PortalHostFixture.Admin);
        var all = (await admin.QueryAsync(AuditFilter.None, limit: 500)).Entries;
        var goodwill = Assert.Single(all, e => e.Summary.Contains("goodwill", StringComparison.Ordinal));
        // A window that ends just above the goodwill grant's sequence: the newest events are searched first.
        var scan = (int)(all[0].Sequence - goodwill.Sequence);
        var capped = FeedFor(PortalHostFixture.Admin, new AuditLimits(TextScanEvents: scan));

        var first = await capped.QueryAsync(new AuditFilter { Text = "goodwill" });
        Assert.Empty(first.Entries);
        Assert.Contains("newest", first.Notice, StringComparison.Ordinal);
        Assert.NotNull(first.NextBefore);
        var next = await capped.QueryAsync(new AuditFilter { Text = "goodwill" }, first.NextBefore);
        Assert.Equal(goodwill.Sequence, Assert.Single(next.Entries).Sequence);

        var uncapped = await admin.QueryAsync(new AuditFilter { Text = "goodwill", StreamId = fixture.AliceWallet });
        Assert.Single(uncapped.Entries);
        Assert.Null(uncapped.Notice);
    }

    [Fact]
    public async Task Given_a_user_without_ExportAudit_When_an_export_starts_Then_it_is_refused_and_nothing_is_recorded()
    {
        await fixture.GrantPersonaAsync("alice", Personas.Support);
        var exportId = Guid.CreateVersion7();

        var refused = await Exports.StartAsync(PortalHostFixture.Actor("alice"), exportId, AuditFilter.None, AuditExport.Csv, 10);

        Assert.Equal(CommandStatus.Forbidden, refused.Status);
        Assert.Empty((await FeedFor(PortalHostFixture.Admin).QueryAsync(new AuditFilter { StreamId = exportId })).Entries);
    }

    [Fact]
    public async Task Given_an_auditor_When_an_export_starts_and_ends_or_aborts_Then_the_start_names_who_filter_and_format_and_the_end_the_count()
    {
        await fixture.GrantPersonaAsync("carol", Personas.Auditor);
        var carol = PortalHostFixture.Actor("carol");
        var filter = new AuditFilter { Actor = "sam", Text = "  " };
        var done = Guid.CreateVersion7();
        var aborted = Guid.CreateVersion7();

        Assert.True((await Exports.StartAsync(carol, done, filter, AuditExport.Csv, 100)).Succeeded);
        var beforeEnd = (await FeedFor(PortalHostFixture.Admin).QueryAsync(new AuditFilter { StreamId = done })).Entries;
        Assert.True((await Exports.CompleteAsync(carol, done, 3, truncated: false, aborted: false)).Succeeded);
        Assert.True((await Exports.StartAsync(carol, aborted, filter, AuditExport.Json, 100)).Succeeded);
        Assert.True((await Exports.CompleteAsync(carol, aborted, 1, truncated: false, aborted: true)).Succeeded);

        var start = Assert.Single(beforeEnd);
        // carol brings no operation (the download endpoint gives its HTTP request's): the export is its own, by its id.
        Assert.Equal((AuditTypeNames.AuditLog, "audit_export_started", "carol", done.ToString()), (start.StreamType, start.EventType, start.Actor, start.CorrelationId));
        Assert.Equal("carol started an export as csv (actor=sam)", start.Summary);
        var admin = FeedFor(PortalHostFixture.Admin);
        Assert.Equal(["carol finished an export of 3 audit rows", "carol started an export as csv (actor=sam)"],
            (await admin.QueryAsync(new AuditFilter { StreamId = done })).Entries.Select(e => e.Summary));
        Assert.Equal("carol aborted an export after 1 audit row", (await admin.QueryAsync(new AuditFilter { StreamId = aborted })).Entries[0].Summary);
    }
}
