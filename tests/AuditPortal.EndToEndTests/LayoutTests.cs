namespace AuditPortal.EndToEndTests;

/// <summary>
/// The wallet, job and audit explorer pages at 1280 and 1920 px: no page scrolls sideways, and the job's event table
/// and the explorer's time column keep their text on one line (long text is cut, with the full text as a tooltip).
/// </summary>
public class LayoutTests(PortalServer server) : IClassFixture<PortalServer>
{
    // Long unbroken values, as support staff paste them: they must not widen a page.
    private const string LongOwner = "Extraordinarily-Long-Company-Name-Without-Any-Spaces-GmbH-und-Compagnie-KG-Zweigniederlassung";
    private const string LongTitle = "A job title that is long enough to wrap in every column of every table on the page, and then some more words";

    [Theory]
    [InlineData(1280)]
    [InlineData(1920)]
    public async Task Given_a_desktop_width_When_the_wallet_job_and_explorer_pages_open_Then_none_scrolls_sideways_and_table_cells_stay_on_one_line(int width)
    {
        var (walletId, jobId) = await SeedAsync();
        var page = await server.SignInAsync("admin", $"/wallets/{walletId}");
        await page.SetViewportSizeAsync(width, 900);

        await Assertions.Expect(page.Locator("#wallet-owner")).ToHaveTextAsync(LongOwner);
        await Assertions.Expect(page.Locator(".wallet-transaction")).Not.ToHaveCountAsync(0);
        await ExpectNoSidewaysScrollAsync(page, $"wallet-{width}");
        await ExpectEventStreamFitsAsync(page, $"wallet-stream-{width}");

        await page.GotoAsync($"{server.BaseUrl}/jobs/{jobId}");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        var jobRows = page.Locator("#job-timeline tr.job-event");
        await Assertions.Expect(jobRows).ToHaveCountAsync(2);
        await ExpectNoSidewaysScrollAsync(page, $"job-{width}");
        foreach (var cell in await page.Locator("#job-timeline tr.job-event td").AllAsync())
            await ExpectOneLineAsync(cell);
        await Assertions.Expect(jobRows.Locator(".job-event-summary").First).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex(".+"));
        await ExpectEventStreamFitsAsync(page, $"job-stream-{width}");

        await page.GotoAsync($"{server.BaseUrl}/audit");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        var times = page.Locator("tr.audit-row td.audit-time");
        await Assertions.Expect(times.First).ToBeVisibleAsync();
        await ExpectNoSidewaysScrollAsync(page, $"audit-{width}");
        foreach (var cell in (await times.AllAsync()).Take(10))
            await ExpectOneLineAsync(cell);
        foreach (var cell in (await page.Locator("tr.audit-row td.audit-event-type").AllAsync()).Take(10))
            await ExpectOneLineAsync(cell);
    }

    /// <summary>The wallet and job pages share the "Event stream" tab: opened, its timeline shown, the page still fits.</summary>
    private static async Task ExpectEventStreamFitsAsync(IPage page, string name)
    {
        await page.GetByRole(AriaRole.Tab, new() { Name = "Event stream" }).ClickAsync();
        await Assertions.Expect(page.Locator(".timeline-event").First).ToBeVisibleAsync();
        await ExpectNoSidewaysScrollAsync(page, name);
    }

    private static async Task ExpectNoSidewaysScrollAsync(IPage page, string name)
    {
        var widths = await page.EvaluateAsync<int[]>(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        var (scroll, client) = (widths[0], widths[1]);
        await PortalServer.ScreenshotAsync(page, "layout-" + name);
        Assert.True(scroll <= client, $"{name}: the page is {scroll} px wide in a {client} px window");
    }

    /// <summary>A cell's text on one line: all its text boxes share one top (a row may still be taller because of a neighbour).</summary>
    private static async Task ExpectOneLineAsync(ILocator cell)
    {
        var lines = await cell.EvaluateAsync<int>(
            """
            td => {
              const range = document.createRange();
              range.selectNodeContents(td);
              return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
            }
            """);
        Assert.True(lines <= 1, $"\"{await cell.InnerTextAsync()}\" takes {lines} lines");
    }

    private async Task<(Guid Wallet, Guid Job)> SeedAsync()
    {
        var sp = server.Services;
        var system = Actor.System("layout-test");
        var wallets = sp.GetRequiredService<WalletService>();
        var jobs = sp.GetRequiredService<JobService>();
        var walletId = Guid.CreateVersion7();
        var jobId = Guid.CreateVersion7();
        Ok(await wallets.OpenAsync(system, Guid.CreateVersion7(), walletId, LongOwner));
        Ok(await wallets.GrantAsync(system, Guid.CreateVersion7(), walletId, 100, "Opening balance for a job with a long reason " + new string('x', 120), null));
        Ok(await jobs.PostAsync(system, Guid.CreateVersion7(), jobId, LongOwner, walletId, LongTitle, "Description", 10));
        Ok(await jobs.ApplyAsync(system, Guid.CreateVersion7(), jobId, "participant-with-a-rather-long-user-name", "Cover note " + new string('y', 150)));
        await sp.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        return (walletId, jobId);
    }
}
