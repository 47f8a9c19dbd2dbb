namespace AuditPortal.IntegrationTests.Projections;

/// <summary>A damaged event in the store: the rebuild stops on it, says which, and /health turns Degraded.</summary>
public class ProjectionFailureTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    [Fact]
    public async Task Given_an_event_that_cannot_be_read_When_its_projection_is_rebuilt_Then_the_rebuild_fails_naming_the_event_and_health_is_degraded()
    {
        await fixture.GrantPersonaAsync("dave", Personas.Admin);
        var id = await fixture.SupportWalletAsync(10);
        await fixture.WaitForProjectionsAsync();
        long sequence;
        sequence = await Sql.ScalarAsync<long>(fixture.ConnectionString,
            "update auditportal.mt_events set data = '{\"amount\": \"not a number\"}' where stream_id = @id and type = 'credits_granted_v2' returning seq_id", ("id", id));
        var operations = new ProjectionOperations(fixture.Store, TimeProvider.System, fixture.Get<IProjectionCoordinator>());

        var outcome = await operations.RebuildAsync(PortalHostFixture.Actor("dave"), new RebuildRequest("WalletSummary"));

        Assert.False(outcome.Succeeded);
        // WalletSummary is rebuilt with the composite it belongs to (one pass for every read model): an event that
        // cannot be read stops the pass, so the failure names the composite.
        Assert.Equal((ReadModelShards.Composite, sequence, "credits_granted_v2"), (outcome.FailedProjection, outcome.FailedSequence, outcome.FailedEventType));
        var report = await new DaemonHealth(operations, TimeProvider.System).CheckAsync();
        Assert.True(report.Degraded);
        Assert.Contains($"event {sequence}", report.Description);
    }
}
