using AuditPortal.Core.Projections;
using AuditPortal.Web.Components.Shared;

namespace AuditPortal.Web.Tests.Shared;

public class ReadModelBannerTests : PageTestContext
{
    [Fact]
    public void Given_projections_within_the_threshold_When_shown_Then_no_banner()
    {
        Lag.Current = new ReadModelLag(HighWaterMark: 1050, SlowestSequence: 1000);

        var cut = Render<ReadModelBanner>(p => p.Add(x => x.Projections, ReadModelLagProbe.WalletProjections));

        Assert.Empty(cut.FindAll("#read-model-banner"));
    }

    [Fact]
    public void Given_projections_catching_up_When_they_are_done_Then_the_banner_disappears_on_the_next_poll()
    {
        Lag.Current = new ReadModelLag(HighWaterMark: 5000, SlowestSequence: 100);
        var cut = Render<ReadModelBanner>(p => p
            .Add(x => x.Projections, ReadModelLagProbe.WalletProjections)
            .Add(x => x.PollInterval, TimeSpan.FromMilliseconds(50)));
        Assert.Contains("4,900 recent events", cut.Find("#read-model-banner").TextContent);

        Lag.Current = new ReadModelLag(HighWaterMark: 5000, SlowestSequence: 5000);

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#read-model-banner")));
    }
}

public class LiveRefreshTests
{
    [Fact]
    public async Task Given_changes_during_a_reload_When_it_ends_Then_exactly_one_more_reload_runs()
    {
        var changes = new ReadModelChanges();
        var gate = new TaskCompletionSource();
        var reloads = 0;
        var secondDone = new TaskCompletionSource();
        using var live = new LiveRefresh(changes, _ => true, async () =>
        {
            if (Interlocked.Increment(ref reloads) == 1) await gate.Task;
            else secondDone.TrySetResult();
        }, work => work());

        await changes.PublishAsync(Change());
        await changes.PublishAsync(Change());
        await changes.PublishAsync(Change());
        gate.SetResult();
        await secondDone.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(2, reloads);
    }

    [Fact]
    public async Task Given_an_irrelevant_change_When_published_Then_no_reload()
    {
        var changes = new ReadModelChanges();
        var reloads = 0;
        using var live = new LiveRefresh(changes, c => c.TouchesJobs, () => { reloads++; return Task.CompletedTask; }, work => work());

        await changes.PublishAsync(Change());

        Assert.Equal(0, reloads);
    }

    [Fact]
    public async Task Given_a_reload_refused_for_lack_of_permission_When_more_changes_arrive_Then_no_reload_runs_and_the_subscription_is_gone()
    {
        var changes = new ReadModelChanges();
        var reloads = 0;
        using var live = new LiveRefresh(changes, _ => true, () =>
        {
            reloads++;
            throw new AuditPortal.Core.AccessControl.AccessDeniedException(AuditPortal.Core.AccessControl.Permission.ReadWallets);
        }, work => work());

        await changes.PublishAsync(Change());
        await changes.PublishAsync(Change());

        Assert.Equal(1, reloads);
        Assert.True(live.Stopped);
        Assert.Equal(0, changes.SubscriberCount);
    }

    private static ReadModelChange Change() => new(1, new HashSet<Guid> { Guid.NewGuid() }, new HashSet<Guid>());
}
