namespace AuditPortal.EndToEndTests;

/// <summary>The portal with its demo history seeded on startup, as a first run shows it.</summary>
public sealed class DemoPortalServer : PortalServer
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["DemoData:SeedOnStartup"] = "true" };
}

/// <summary>
/// The overview per persona and the explorer's histogram in Chromium. Each step also writes a screenshot; with
/// AUDITPORTAL_DOCS_SCREENSHOTS set to a folder (the repository's docs/), the README's tour pictures are written there.
/// </summary>
public class OverviewTests(DemoPortalServer server) : IClassFixture<DemoPortalServer>
{
    private static readonly string[] Groups = ["#overview-support", "#overview-auditor", "#overview-admin"];

    [Theory]
    [InlineData("alice", "#overview-support")]
    [InlineData("carol", "#overview-auditor")]
    [InlineData("admin", "#overview-support", "#overview-auditor", "#overview-admin")]
    public async Task Given_a_persona_When_opening_the_overview_Then_only_their_groups_show_with_their_tiles(string user, params string[] expected)
    {
        var page = await server.SignInAsync(user, "/");

        foreach (var group in expected)
        {
            await Assertions.Expect(page.Locator(group)).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator($"{group} .mud-progress-linear")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        }
        foreach (var group in Groups.Except(expected))
            await Assertions.Expect(page.Locator(group)).ToHaveCountAsync(0);

        if (expected.Contains("#overview-support"))
        {
            await Assertions.Expect(page.Locator("#overview-support [data-tile=granted-week] .overview-tile-value")).Not.ToHaveTextAsync("0");
            await Assertions.Expect(page.Locator("#overview-support [data-list=my-actions] a.overview-event").First).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("^/(wallets|jobs|access-control)/"));
            await Assertions.Expect(page.Locator("#overview-support a[data-tile=wallets-today]")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("^/wallets\\?changedSince=\\d{4}-\\d{2}-\\d{2}&sort=LastChangedAt&desc=true$"));
        }
        if (expected.Contains("#overview-auditor"))
        {
            await Assertions.Expect(page.Locator("#overview-events-per-day svg.mud-chart-bar").First).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#overview-auditor a.overview-actor").First).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("^/audit\\?actor="));
        }
        if (expected.Contains("#overview-admin"))
        {
            await Assertions.Expect(page.Locator("#overview-admin [data-tile=projection-health]")).ToHaveAttributeAsync("href", "/projections");
            await Assertions.Expect(page.Locator("#overview-admin [data-list=acl-changes] a.overview-event").First).ToBeVisibleAsync();
        }
        await ShotAsync(page, $"overview-{user}");
    }

    [Fact]
    public async Task Given_the_explorer_When_a_bucket_of_the_histogram_is_chosen_Then_the_address_and_the_list_narrow_to_that_time_range()
    {
        var page = await server.SignInAsync("carol", "/audit");
        // The bars are the paths MudBlazor draws in the chart's series group (only buckets with events have one).
        var bars = page.Locator("#audit-activity g.mud-charts-stackedbar-series > path");
        await Assertions.Expect(page.Locator("#audit-activity .histogram-caption")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(bars).Not.ToHaveCountAsync(0);
        // The first screen: filters, histogram and the newest rows (the full page is 50 rows long).
        await ShotAsync(page, "audit-explorer", fullPage: false);
        // A real click on the newest bar. Force: MudBlazor draws a bar as a vertical line with a wide stroke, whose
        // geometric box has no width, so Playwright's visibility check calls it hidden; the click still lands on it.
        await bars.Last.ClickAsync(new() { Force = true });

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/audit\\?from=[^&]+&to=[^&]+$"));
        // The narrowed range is itself counted again: its caption names the new, shorter range.
        await Assertions.Expect(page.Locator("#audit-activity .histogram-caption")).ToContainTextAsync("bars of");
        var url = new Uri(page.Url);
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        var from = DateTimeOffset.Parse(query["from"]!, System.Globalization.CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(query["to"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(to - from <= TimeSpan.FromDays(7));
    }

    [Fact]
    public async Task Given_the_support_overview_When_a_week_tile_is_chosen_Then_the_wallet_list_opens_filtered_to_that_week_latest_first()
    {
        var page = await server.SignInAsync("alice", "/");
        var tile = page.Locator("#overview-support a[data-tile=granted-week]");
        await Assertions.Expect(tile).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var href = await tile.GetAttributeAsync("href");
        var since = System.Web.HttpUtility.ParseQueryString(new Uri(new Uri("http://x"), href).Query)["changedSince"]!;

        await tile.ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/wallets\\?changedSince={since}&sort=LastChangedAt&desc=true$"));
        await Assertions.Expect(page.Locator("#wallet-changed-since")).ToHaveValueAsync(since);
        // The demo history has grants this week (the tile counts them), so the filtered list is not empty.
        await Assertions.Expect(page.Locator("#wallet-grid .wallet-link").First).ToBeVisibleAsync();
        // "Last change" is the sixth column; its times (yyyy-MM-dd HH:mm:ss) sort as text.
        var changes = await page.Locator("#wallet-grid tbody tr td:nth-child(6)").AllInnerTextsAsync();
        Assert.All(changes, c => Assert.True(string.CompareOrdinal(c.Trim(), since) >= 0, $"{c} is before {since}"));
        Assert.Equal(changes.OrderByDescending(c => c, StringComparer.Ordinal), changes);
    }

    [Fact]
    public async Task Given_a_wallet_When_its_page_opens_Then_the_balance_chart_and_its_linked_steps_show()
    {
        var page = await server.SignInAsync("alice", "/wallets");
        await page.Locator(".mud-table-body tr").First.ClickAsync();
        await Assertions.Expect(page.Locator("#wallet-balance-history .mud-chart-line").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#wallet-balance-history a.balance-step").First).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("^/audit/events/\\d+$"));
        // The first screen only: the full page is the wallet's whole transaction list, which dwarfs the chart.
        await ShotAsync(page, "wallet", fullPage: false);
    }

    [Fact]
    public async Task Given_the_projections_page_When_a_rebuild_runs_Then_the_lag_chart_shows_its_progress()
    {
        var page = await server.SignInAsync("admin", "/projections");
        await Assertions.Expect(page.Locator("#projection-lag .lag-caption")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.Locator("#rebuild-all").ClickAsync();
        // Progress with its percentage (not the "Starting..." line), or the outcome when the small demo history was faster.
        await Assertions.Expect(page.Locator("#rebuild-progress:has-text('%'), #rebuild-outcome").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await ShotAsync(page, "projections-rebuild");
    }

    [Fact]
    public async Task Given_the_demo_history_When_an_admin_opens_the_approvals_page_Then_open_requests_wait_and_every_outcome_is_listed()
    {
        var page = await server.SignInAsync("dave", "/");
        // Seeded open requests are still open at the first start: counted in the menu and on the overview.
        await Assertions.Expect(page.Locator("#approvals-waiting")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.True(int.Parse(await page.Locator("#approvals-waiting").InnerTextAsync()) >= 3);
        await Assertions.Expect(page.Locator("#overview-approvals [data-tile=approvals-to-approve] .overview-tile-value")).Not.ToHaveTextAsync("0");

        await page.GotoAsync($"{server.BaseUrl}/approvals?show=all&status=all");
        await page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 30_000 });
        foreach (var status in new[] { "Approved", "Rejected", "Expired", "Withdrawn" })
            await Assertions.Expect(page.Locator($".approval-row[data-status={status}]").First).ToBeVisibleAsync();
        Assert.True(await page.Locator(".approval-row[data-status=Pending]").CountAsync() >= 3);
        await ShotAsync(page, "approvals", fullPage: false);
    }

    private static async Task ShotAsync(IPage page, string name, bool fullPage = true)
    {
        await PortalServer.ScreenshotAsync(page, name);
        if (Environment.GetEnvironmentVariable("AUDITPORTAL_DOCS_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = fullPage });
        }
    }
}
