namespace AuditPortal.EndToEndTests.Accessibility;

/// <summary>
/// The portal with the demo history seeded (wallets, jobs, access-control lists with a revocation), so every page
/// has real rows, chips, timelines and links to check; the read models are caught up before a test starts.
/// </summary>
public sealed class DemoPortalServer : PortalServer, IAsyncLifetime
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["DemoData:SeedOnStartup"] = "true" };

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        await Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// A fresh browser context whose operating system asks for <paramref name="mode"/> ("light" or "dark") and reduced
    /// motion (so no transition is half-way when a page is checked), signed in as <paramref name="user"/>.
    /// </summary>
    public async Task<IPage> SignInAsync(string user, string mode)
    {
        var page = await NewPageAsync(mode);
        await page.GotoAsync($"{BaseUrl}/account/signin?returnUrl=%2F");
        await page.Locator("#username").FillAsync(user);
        await page.Locator("#password").FillAsync("demo");
        await page.Locator("#signin-submit").ClickAsync();
        await page.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        return page;
    }

    public async Task<IPage> NewPageAsync(string mode)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ColorScheme = mode == "dark" ? ColorScheme.Dark : ColorScheme.Light,
            ReducedMotion = ReducedMotion.Reduce,
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        return await context.NewPageAsync();
    }
}
