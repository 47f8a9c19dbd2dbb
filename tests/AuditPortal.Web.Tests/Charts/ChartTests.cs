using AuditPortal.Web.Components.Shared.Charts;

namespace AuditPortal.Web.Tests.Charts;

public class ChartTests : PortalTestContext
{
    private static readonly DateTimeOffset Day = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private static ActivityHistogramResult Histogram(params long[] counts) =>
        new(Day, Day.AddDays(counts.Length), TimeSpan.FromDays(1),
            counts.Select((c, i) => new ActivityBucket(Day.AddDays(i), Day.AddDays(i + 1), c)).ToList());

    private static IReadOnlyList<BalanceStep> Steps(params int[] changes)
    {
        var balance = 0;
        return changes.Select((c, i) => new BalanceStep(100 + i, i + 1, Day.AddHours(i), balance += c, c, i == 0 ? "wallet_opened" : c >= 0 ? "credits_granted" : "credits_spent")).ToList();
    }

    // Audit activity histogram

    [Fact]
    public void Given_no_events_When_the_histogram_renders_Then_it_says_so_and_draws_no_chart()
    {
        var cut = Render<AuditActivityHistogram>(p => p.Add(x => x.Result, Histogram(0, 0, 0)));

        Assert.Contains("No events match this filter.", cut.Find(".histogram-empty").TextContent);
        Assert.Empty(cut.FindAll("svg"));
    }

    [Fact]
    public void Given_one_bucket_When_the_histogram_renders_Then_the_caption_and_the_table_give_its_count()
    {
        var cut = Render<AuditActivityHistogram>(p => p.Add(x => x.Result, Histogram(7)));

        Assert.Contains("7 events from 2026-11-02 00:00 to 2026-11-03 00:00 UTC, 1 bars of 1 day", cut.Find(".histogram-caption").TextContent);
        var link = Assert.Single(cut.FindAll("a.histogram-bucket"));
        Assert.Equal("/audit?from=2026-11-02T00%3A00&to=2026-11-03T00%3A00", link.GetAttribute("href"));
        Assert.NotEmpty(cut.FindAll("svg"));
    }

    [Fact]
    public void Given_many_buckets_When_a_bar_is_chosen_Then_the_explorer_narrows_to_that_bucket_keeping_the_filter()
    {
        var nav = Services.GetRequiredService<NavigationManager>();
        var cut = Render<AuditActivityHistogram>(p => p
            .Add(x => x.Result, Histogram(3, 0, 12, 5))
            .Add(x => x.BaseFilter, AuditFilter.None with { Actor = "carol" }));

        Assert.Equal(3, cut.FindAll("a.histogram-bucket").Count);
        Assert.Contains("the busiest: 2026-11-04 with 12", cut.Find(".histogram-caption").TextContent);
        cut.InvokeAsync(() => cut.FindComponent<MudChart<double>>().Instance.SelectedIndexChanged.InvokeAsync(2));

        Assert.EndsWith("/audit?actor=carol&from=2026-11-04T00%3A00&to=2026-11-05T00%3A00", nav.Uri);
    }

    [Fact]
    public void Given_dark_mode_When_the_histogram_renders_Then_it_draws_inside_the_dark_theme()
    {
        var cut = Render<DarkHost>(p => p.AddChildContent<AuditActivityHistogram>(h => h.Add(x => x.Result, Histogram(1, 2, 3))));

        Assert.NotEmpty(cut.FindAll(".audit-activity-histogram svg"));
        Assert.Equal(3, cut.FindAll("a.histogram-bucket").Count);
    }

    // Wallet balance

    [Fact]
    public void Given_no_history_When_the_balance_chart_renders_Then_it_says_so()
    {
        var cut = Render<WalletBalanceChart>(p => p.Add(x => x.Steps, []));

        Assert.Contains("No history yet", cut.Find(".balance-empty").TextContent);
    }

    [Fact]
    public void Given_one_event_When_the_balance_chart_renders_Then_the_step_links_to_its_event()
    {
        var cut = Render<WalletBalanceChart>(p => p.Add(x => x.Steps, Steps(0)));

        Assert.Equal("/audit/events/100", Assert.Single(cut.FindAll("a.balance-step")).GetAttribute("href"));
        Assert.Contains("Balance 0 credits after 1 events", cut.Find(".balance-caption").TextContent);
    }

    [Fact]
    public void Given_many_events_When_the_balance_chart_renders_Then_the_line_steps_at_each_event_and_the_table_lists_newest_first()
    {
        var cut = Render<WalletBalanceChart>(p => p.Add(x => x.Steps, Steps(0, 50, -20, 100)));

        var series = cut.FindComponent<MudChart<double>>().Instance.ChartSeries.Single();
        // Old balance then new balance at each event's own time: a vertical step on the time axis, not a slope.
        Assert.Equal([0d, 0, 0, 50, 50, 30, 30, 130], series.Data.Points.Select(p => (double)p.Y!));
        var times = series.Data.Points.Select(p => (DateTime)p.X!).ToList();
        Assert.Equal(Enumerable.Range(0, 4).SelectMany(i => new[] { Day.AddHours(i).UtcDateTime, Day.AddHours(i).UtcDateTime }), times);
        var rows = cut.FindAll(".balance-table tbody tr");
        Assert.Equal(4, rows.Count);
        Assert.Contains("+100", rows[0].TextContent);
        Assert.Contains("130", rows[0].TextContent);
        Assert.Contains("highest 130", cut.Find(".balance-caption").TextContent);
    }

    [Fact]
    public void Given_dark_mode_When_the_balance_chart_renders_Then_it_draws()
    {
        var cut = Render<DarkHost>(p => p.AddChildContent<WalletBalanceChart>(h => h.Add(x => x.Steps, Steps(0, 10))));

        Assert.NotEmpty(cut.FindAll(".wallet-balance-chart svg"));
    }

    // Projection lag

    private static IReadOnlyList<LagSample> Samples(params (long Lag, double Rate)[] values) =>
        values.Select((v, i) => new LagSample(Day.AddSeconds(3 * i), v.Lag, v.Rate)).ToList();

    [Fact]
    public void Given_no_samples_When_the_lag_chart_renders_Then_it_says_it_is_collecting()
    {
        var cut = Render<ProjectionLagChart>(p => p.Add(x => x.Samples, []));

        Assert.Contains("Collecting", cut.Find(".lag-empty").TextContent);
        Assert.Empty(cut.FindAll(".rebuild-progress"));
    }

    [Fact]
    public void Given_one_sample_When_the_lag_chart_renders_Then_the_caption_gives_it()
    {
        var cut = Render<ProjectionLagChart>(p => p.Add(x => x.Samples, Samples((12, 4.5))));

        Assert.Contains("Now: lag 12 events, 4.5 events/s", cut.Find(".lag-caption").TextContent);
    }

    [Fact]
    public void Given_many_samples_during_a_rebuild_When_the_lag_chart_renders_Then_progress_and_eta_are_shown()
    {
        var progress = new RebuildProgress("WalletSummary", 250_000, 1_000_000, 5000, null, 40, 250_000, 125_000, 25, TimeSpan.FromSeconds(6));
        var cut = Render<ProjectionLagChart>(p => p
            .Add(x => x.Samples, Samples((0, 0), (500, 120), (80, 40.2)))
            .Add(x => x.Rebuild, progress));

        Assert.Equal(3, cut.FindAll(".lag-table tbody tr").Count);
        Assert.Contains("largest lag 500", cut.Find(".lag-caption").TextContent);
        var eta = cut.Find(".rebuild-eta").TextContent;
        Assert.Contains("25.0 %", eta);
        Assert.Contains("about 6 s left", eta);
        Assert.Equal(2, cut.FindComponent<MudChart<double>>().Instance.ChartSeries.Count);
    }

    [Fact]
    public void Given_dark_mode_When_the_lag_chart_renders_Then_it_draws()
    {
        var cut = Render<DarkHost>(p => p.AddChildContent<ProjectionLagChart>(h => h.Add(x => x.Samples, Samples((1, 1), (2, 2)))));

        Assert.NotEmpty(cut.FindAll(".projection-lag-chart svg"));
    }
}
