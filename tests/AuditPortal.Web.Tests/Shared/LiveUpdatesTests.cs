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
    /// <summary>What the page shows: the value, or the error's message, of the last load applied.</summary>
    private string _shown = "";

    private void Show(string value) => _shown = value;

    private void ShowError(Exception error) => _shown = error.Message;

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

    [Fact]
    public async Task Given_two_overlapping_loads_When_the_older_answers_last_Then_the_newer_stays_and_the_older_read_was_cancelled()
    {
        using var live = new LiveRefresh(new ReadModelChanges(), _ => true, () => Task.CompletedTask, work => work());
        var olderAnswer = new TaskCompletionSource<string>();
        var olderToken = CancellationToken.None;

        var older = live.LoadAsync(ct => { olderToken = ct; return olderAnswer.Task; }, Show, ShowError);
        var newer = await live.LoadAsync(_ => Task.FromResult("newer"), Show, ShowError);
        // The older read does not notice its cancellation and answers anyway, after the newer one was shown.
        olderAnswer.SetResult("older");

        Assert.True(newer);
        Assert.False(await older);
        Assert.True(olderToken.IsCancellationRequested);
        Assert.Equal("newer", _shown);
    }

    [Fact]
    public async Task Given_an_older_load_that_fails_after_a_newer_one_was_shown_When_it_fails_Then_its_error_is_not_shown_either()
    {
        var loads = new NewestWins();
        var olderAnswer = new TaskCompletionSource<string>();

        var older = loads.LoadAsync(_ => olderAnswer.Task, Show, ShowError);
        await loads.LoadAsync(_ => Task.FromResult("newer"), Show, ShowError);
        olderAnswer.SetException(new InvalidOperationException("the database did not answer"));

        Assert.False(await older);
        Assert.Equal("newer", _shown);
    }

    [Fact]
    public async Task Given_a_users_reload_in_flight_When_a_live_change_arrives_Then_the_live_reload_wins_over_the_users_older_read()
    {
        var changes = new ReadModelChanges();
        var usersAnswer = new TaskCompletionSource<string>();
        var liveDone = new TaskCompletionSource();
        LiveRefresh live = null!;
        live = new LiveRefresh(changes, _ => true, async () =>
        {
            await live.LoadAsync(_ => Task.FromResult("after the change"), Show, ShowError);
            liveDone.TrySetResult();
        }, work => work());
        using var subscription = live;

        // The user's reload (after a command) reads first; a change arrives while it runs.
        var users = live.LoadAsync(_ => usersAnswer.Task, Show, ShowError);
        await changes.PublishAsync(Change());
        await liveDone.Task.WaitAsync(TimeSpan.FromSeconds(5));
        usersAnswer.SetResult("before the change");

        Assert.False(await users);
        Assert.Equal("after the change", _shown);
        Assert.False(live.Stopped);
    }

    [Fact]
    public async Task Given_a_load_refused_for_lack_of_permission_When_it_is_the_newest_Then_the_refusal_is_shown_and_live_refresh_ends()
    {
        var changes = new ReadModelChanges();
        var reloads = 0;
        LiveRefresh live = null!;
        live = new LiveRefresh(changes, _ => true, () =>
        {
            reloads++;
            return live.LoadAsync<int>(_ => throw new AuditPortal.Core.AccessControl.AccessDeniedException(AuditPortal.Core.AccessControl.Permission.ReadWallets),
                _ => Show("data"), ShowError);
        }, work => work());
        using var subscription = live;

        await changes.PublishAsync(Change());
        await changes.PublishAsync(Change());

        Assert.Equal(1, reloads);
        Assert.True(live.Stopped);
        Assert.Equal(0, changes.SubscriberCount);
        Assert.Contains("ReadWallets", _shown, StringComparison.OrdinalIgnoreCase);
    }

    private static ReadModelChange Change() => new(1, new HashSet<Guid> { Guid.NewGuid() }, new HashSet<Guid>());
}
