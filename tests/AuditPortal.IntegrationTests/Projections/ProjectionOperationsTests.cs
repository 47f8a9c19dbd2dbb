namespace AuditPortal.IntegrationTests.Projections;

public class ProjectionOperationsTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    private ProjectionOperations Operations => new(fixture.Store, TimeProvider.System, fixture.Get<IProjectionCoordinator>());

    private async Task<Guid> WalletWithHistoryAsync()
    {
        await fixture.GrantPersonaAsync("dave", Personas.Admin);
        var id = await fixture.SupportWalletAsync(10);
        Assert.True((await fixture.Get<WalletService>().SpendAsync(PortalHostFixture.Actor("alice"), Guid.CreateVersion7(), id, 3, "purchase", null)).Succeeded);
        await fixture.WaitForProjectionsAsync();
        return id;
    }

    [Fact]
    public async Task Given_a_damaged_read_model_When_every_projection_is_rebuilt_Then_it_matches_the_events_and_the_rebuild_is_recorded()
    {
        var id = await WalletWithHistoryAsync();
        await using (var session = fixture.Store.LightweightSession())
        {
            var summary = await session.LoadAsync<WalletSummary>(id);
            summary!.Balance = 999;
            session.Store(summary);
            await session.SaveChangesAsync();
        }

        var outcome = await Operations.RebuildAsync(PortalHostFixture.Actor("dave"), new RebuildRequest());

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Contains("WalletSummary", outcome.Projections);
        await using var query = fixture.Store.QuerySession();
        Assert.Equal(7, (await query.LoadAsync<WalletSummary>(id))!.Balance);
        var log = await query.Events.FetchStreamAsync(ProjectionOperationsLog.StreamId);
        var started = log.Select(e => e.Data).OfType<ProjectionRebuildStarted>().Last();
        var completed = log.Select(e => e.Data).OfType<ProjectionRebuildCompleted>().Last();
        Assert.Equal(("dave", started.RebuildId), (started.StartedBy, completed.RebuildId));
        // Start and end are one operation, the rebuild's (dave, in a browser tab, brings none of his own).
        var rebuild = started.RebuildId.ToString();
        Assert.Equal([(rebuild, rebuild), (rebuild, rebuild)],
            log.Where(e => ReferenceEquals(e.Data, started) || ReferenceEquals(e.Data, completed)).Select(e => (e.CorrelationId, e.CausationId)));
    }

    [Fact]
    public async Task Given_caught_up_projections_When_the_status_is_read_Then_every_async_projection_is_up_to_date_with_no_lag()
    {
        await WalletWithHistoryAsync();

        var status = await Operations.StatusAsync();

        Assert.Contains(status, s => s.Name == "WalletSummary");
        Assert.All(status, s =>
        {
            Assert.Equal(ProjectionState.UpToDate, s.State);
            Assert.Equal(0, s.LagEvents);
            Assert.Equal(s.HighWaterMark, s.Position);
        });
    }

    [Fact]
    public async Task Given_one_wallet_When_its_stream_is_rebuilt_Then_only_its_summary_is_recomputed()
    {
        var id = await WalletWithHistoryAsync();
        await using (var session = fixture.Store.LightweightSession())
        {
            var summary = await session.LoadAsync<WalletSummary>(id);
            summary!.Balance = -1;
            session.Store(summary);
            await session.SaveChangesAsync();
        }

        var rebuilt = await Operations.RebuildStreamAsync(PortalHostFixture.Actor("dave"), id);

        Assert.Equal(["WalletSummary"], rebuilt);
        await using var query = fixture.Store.QuerySession();
        Assert.Equal(7, (await query.LoadAsync<WalletSummary>(id))!.Balance);
    }

    [Fact]
    public async Task Given_an_unknown_projection_When_a_rebuild_is_asked_Then_the_error_names_the_known_ones()
    {
        await fixture.GrantPersonaAsync("dave", Personas.Admin);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Operations.RebuildAsync(PortalHostFixture.Actor("dave"), new RebuildRequest("Nope")));
        Assert.Contains("WalletSummary", e.Message);
    }

    [Fact]
    public async Task Given_a_rebuild_When_it_is_cancelled_Then_who_cancelled_is_recorded()
    {
        await WalletWithHistoryAsync();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        var outcome = await Operations.RebuildAsync(PortalHostFixture.Actor("dave"), new RebuildRequest("WalletSummary"), cancelledBy: () => "carol", ct: cancel.Token);

        Assert.True(outcome.Cancelled);
        await using var query = fixture.Store.QuerySession();
        var log = await query.Events.FetchStreamAsync(ProjectionOperationsLog.StreamId);
        Assert.Equal("carol", log.Select(e => e.Data).OfType<ProjectionRebuildCancelled>().Last().CancelledBy);
    }

    [Fact]
    public async Task Given_a_user_without_ManageProjections_When_a_rebuild_a_stream_rebuild_or_a_cancel_is_asked_Then_access_is_denied_and_nothing_is_recorded()
    {
        var id = await WalletWithHistoryAsync();
        await using var before = fixture.Store.QuerySession();
        var logged = (await before.Events.FetchStreamAsync(ProjectionOperationsLog.StreamId)).Count;

        // alice is support: she may grant credits, not manage projections.
        var alice = PortalHostFixture.Actor("alice");
        var rebuild = await Assert.ThrowsAsync<AccessDeniedException>(() => Operations.RebuildAsync(alice, new RebuildRequest()));
        var stream = await Assert.ThrowsAsync<AccessDeniedException>(() => Operations.RebuildStreamAsync(alice, id));
        var cancel = await Assert.ThrowsAsync<AccessDeniedException>(() => new ProjectionRebuilds(Operations).CancelAsync(alice));
        var rebuilds = new ProjectionRebuilds(Operations);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rebuilds.Changed += () => { if (rebuilds.Current is { IsRunning: false }) ended.TrySetResult(); };
        var run = rebuilds.TryStart(alice, null, out _)!;
        await ended.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var outcome = run.Outcome!;

        Assert.All([rebuild, stream, cancel], e => Assert.Equal(Permission.ManageProjections, e.Missing));
        Assert.StartsWith("You no longer have access", rebuild.Message);
        Assert.True(outcome.Refused, outcome.Error);
        await using var after = fixture.Store.QuerySession();
        Assert.Equal(logged, (await after.Events.FetchStreamAsync(ProjectionOperationsLog.StreamId)).Count);
        // The CLI's system actor is always allowed.
        Assert.True((await Operations.RebuildAsync(Actor.System("cli"), new RebuildRequest())).Succeeded);
    }
}
