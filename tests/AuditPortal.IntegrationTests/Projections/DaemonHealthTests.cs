namespace AuditPortal.IntegrationTests.Projections;

/// <summary>No daemon runs on this store, so appended events wait: the stall shows only once the window has passed.</summary>
public class DaemonHealthTests : IAsyncLifetime
{
    private DocumentStore? _store;

    public async Task InitializeAsync()
    {
        var cs = await TestCluster.CreateDatabaseAsync(nameof(DaemonHealthTests));
        _store = DocumentStore.For(o => PortalStore.Configure(o, cs, new PortalStoreSettings()));
        await _store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    }

    public Task DisposeAsync()
    {
        _store?.Dispose();
        return Task.CompletedTask;
    }

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow.AddMinutes(5);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task Given_waiting_events_and_no_progress_When_the_window_passes_Then_health_is_degraded_and_not_before()
    {
        await using (var session = _store!.LightweightSession())
        {
            var id = Guid.CreateVersion7();
            session.Events.StartStream<Wallet>(id, new WalletOpened(id, "dana", "alice", DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }
        var time = new ManualTime();
        var health = new DaemonHealth(new ProjectionOperations(_store, time), time) { Window = TimeSpan.FromSeconds(60) };

        var first = await health.CheckAsync();
        time.Now += TimeSpan.FromSeconds(30);
        var early = await health.CheckAsync();
        time.Now += TimeSpan.FromSeconds(31);
        var late = await health.CheckAsync();

        Assert.False(first.Degraded, first.Description);
        Assert.False(early.Degraded, early.Description);
        Assert.True(late.Degraded);
        Assert.Contains("high-water mark", late.Description);
        var waiting = (await new ProjectionOperations(_store, time).StatusAsync()).Single(s => s.Name == "WalletSummary");
        Assert.Equal((ProjectionState.NotStarted, 1L), (waiting.State, waiting.LagEvents));
        Assert.True(waiting.LagSeconds > 0, $"lag {waiting.LagSeconds} s");
    }
}
