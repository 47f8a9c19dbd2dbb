using JasperFx;
using JasperFx.Events.Projections;
using Marten.Events.Aggregation;

namespace AuditPortal.IntegrationTests.Projections;

public sealed class PoisonedBalance
{
    public Guid Id { get; set; }
    public int Balance { get; set; }
}

/// <summary>A balance projection with a bug: it throws on one particular spend.</summary>
public sealed partial class PoisonedBalanceProjection : SingleStreamProjection<PoisonedBalance, Guid>
{
    public const string ProjectionName = "PoisonedBalance";
    public const string PoisonReason = "poison pill";

    public PoisonedBalanceProjection() => Name = ProjectionName;

    public static PoisonedBalance Create(WalletOpened e) => new() { Id = e.WalletId };

    public static void Apply(CreditsGranted e, PoisonedBalance view) => view.Balance += e.Amount;

    public static void Apply(CreditsSpent e, PoisonedBalance view)
    {
        if (e.Reason == PoisonReason) throw new InvalidOperationException("Bug in PoisonedBalance: cannot apply this spend");
        view.Balance -= e.Amount;
    }
}

public sealed class PoisonedProjectionFixture : PortalHostFixture
{
    protected override void Configure(IServiceCollection services) =>
        services.ConfigureMarten(opts => opts.Projections.Add<PoisonedBalanceProjection>(ProjectionLifecycle.Async));
}

public class PoisonedProjectionTests(PoisonedProjectionFixture fixture) : IClassFixture<PoisonedProjectionFixture>
{
    [Fact]
    public async Task Given_a_projection_that_throws_on_one_event_When_the_daemon_reaches_it_Then_that_shard_pauses_before_the_event_and_reports_it()
    {
        var walletId = await fixture.SupportWalletAsync(10);
        await fixture.MoveCreditsAsync(walletId, [(-2, "listing"), (-3, PoisonedBalanceProjection.PoisonReason), (4, "after the poison")]);
        await using var query = fixture.Store.QuerySession();
        var events = await query.Events.FetchStreamAsync(walletId);
        var poison = events.Single(e => e.Data is CreditsSpent { Reason: PoisonedBalanceProjection.PoisonReason });

        var daemon = fixture.Get<IProjectionCoordinator>().DaemonForMainDatabase();
        var paused = await daemon.Tracker.WaitForShardCondition(
            s => s.ShardName.StartsWith(PoisonedBalanceProjection.ProjectionName, StringComparison.Ordinal) && s.AgentStatus == nameof(AgentStatus.Paused),
            "poisoned shard paused", TimeSpan.FromSeconds(30));

        // Marten 9 with SkipApplyErrors = false: the shard pauses, names the failing event, writes no dead letter,
        // and its progression stays below that event (the batch holding it is rolled back, so none of it is applied).
        Assert.NotNull(paused.Failure);
        Assert.Equal(ShardFailureCategory.ApplyEvent, paused.Failure.Category);
        Assert.Equal(poison.Sequence, paused.Failure.Event?.Sequence);
        Assert.Null(paused.Failure.DeadLetterEventId);
        Assert.Contains("Bug in PoisonedBalance", paused.PauseReason);
        var progress = (await fixture.Store.Advanced.AllProjectionProgress()).ToDictionary(p => p.ShardName, p => p.Sequence);
        Assert.True(progress[$"{PoisonedBalanceProjection.ProjectionName}:All"] < poison.Sequence);
        // Skipping the poison would have produced 10 - 2 + 4 = 12.
        Assert.NotEqual(12, (await query.LoadAsync<PoisonedBalance>(walletId))?.Balance);

        // The other projections are not held back by the broken one...
        // (the read models' composite runs as one shard; the tracker reports it, not its members)
        await daemon.Tracker.WaitForShardState(ReadModelShards.CompositeShard, events[^1].Sequence, TimeSpan.FromSeconds(30));
        Assert.Equal(9, (await query.LoadAsync<WalletSummary>(walletId))!.Balance);
        // ...but the store as a whole never claims to be caught up.
        await Assert.ThrowsAsync<TimeoutException>(() => fixture.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(3)));
    }
}
