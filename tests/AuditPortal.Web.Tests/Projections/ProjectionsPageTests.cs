using AuditPortal.Web.Components.Pages.Projections;

namespace AuditPortal.Web.Tests.Projections;

public class ProjectionsPageTests : PortalTestContext
{
    private readonly FakeConsole _console = new();

    protected override void AddServices()
    {
        AddAuthorization().SetAuthorized("dave");
        Services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        Services.AddScoped<CurrentUser>();
        Services.AddSingleton<IProjectionConsole>(_console);
    }

    [Fact]
    public void Given_a_paused_projection_When_the_page_opens_Then_every_projection_shows_its_lag_and_the_failing_event()
    {
        var cut = Render<ProjectionsPage>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#projections tbody tr").Count));
        var rows = cut.FindAll("#projections tbody tr");
        Assert.Contains("up to date", rows[0].TextContent);
        Assert.Contains("paused on error", rows[1].TextContent);
        Assert.Contains("1,200", rows[1].TextContent);
        Assert.Contains("Event 42 (credits_granted): Cannot read <amount>", cut.Find(".failing-event").TextContent);
    }

    [Fact]
    public void Given_the_page_When_an_admin_starts_a_rebuild_Then_progress_is_shown_live_and_the_cancel_names_the_admin()
    {
        var cut = Render<ProjectionsPage>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("#projections tbody tr")));

        cut.Find("#rebuild-all").Click();

        cut.WaitForAssertion(() => Assert.Equal(("dave", (string?)null), (_console.Current!.StartedBy, _console.Current.Projection)));
        _console.Report(new RebuildProgress("WalletSummary", 500, 1000, 500, null, 20, 500, 25_000, 50, TimeSpan.FromSeconds(2)));
        cut.WaitForAssertion(() => Assert.Contains("50% · 25,000 events/s · about 00:00:02 left", cut.Find("#rebuild-progress").TextContent));

        cut.Find("#cancel-rebuild").Click();

        cut.WaitForAssertion(() => Assert.Equal("dave", _console.CancelledBy));
    }

    private sealed class FakeConsole : IProjectionConsole
    {
        public RebuildRun? Current { get; private set; }
        public string? CancelledBy { get; private set; }
        public event Action? Changed;

        public Task<IReadOnlyList<ProjectionStatus>> StatusAsync(Actor actor, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<ProjectionStatus>>(
            [
                new("WalletSummary", "WalletSummary:All", 1, ProjectionState.UpToDate, 5000, 5000, 0, 0, null, null, null, null),
                new("AccountProjection", "AccountProjection:All", 1, ProjectionState.Paused, 3800, 5000, 1200, 12.5, "Cannot read <amount>", 42, "credits_granted", null),
            ]);

        public RebuildRun? TryStart(Actor actor, string? projection, out string? refusal)
        {
            refusal = null;
            return Current = new RebuildRun { StartedBy = actor.UserName, Projection = projection, StartedAt = DateTimeOffset.UtcNow };
        }

        public Task<bool> CancelAsync(Actor actor, CancellationToken ct = default)
        {
            CancelledBy = actor.UserName;
            return Task.FromResult(true);
        }

        public void Report(RebuildProgress progress)
        {
            Current!.Progress = progress;
            Changed?.Invoke();
        }
    }
}
