using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace AuditPortal.EndToEndTests.Infrastructure;

/// <summary>
/// The portal served by Kestrel on a free 127.0.0.1 port, on a database of its own, with a headless Debian
/// Chromium driven by Playwright: one per test class.
/// </summary>
public class PortalServer : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;
    private IPlaywright? _playwright;

    public string BaseUrl { get; private set; } = "";
    /// <summary>The portal's own database (a second node, <see cref="StartNodeAsync"/>, shares it).</summary>
    public string ConnectionString { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;
    public IServiceProvider Services => _factory!.Services;

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>The port to serve on (0: any free one); a fixture whose settings name the portal's address picks it first.</summary>
    protected int Port { get; set; }

    /// <summary>Services replaced in the portal for this fixture (a clock).</summary>
    protected virtual void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services) { }

    public async Task InitializeAsync()
    {
        ConnectionString = await TestCluster.CreateDatabaseAsync(GetType().Name);
        (_factory, BaseUrl) = StartNode(ConnectionString, Settings, Port, ConfigureServices);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>Another portal node (Kestrel on its own port) on <paramref name="connectionString"/>.</summary>
    public static (WebApplicationFactory<Program> Factory, string BaseUrl) StartNode(string connectionString, IDictionary<string, string?> settings,
        int port = 0, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.UseSetting("ConnectionStrings:Marten", connectionString);
            foreach (var (key, value) in settings) web.UseSetting(key, value);
            if (services is not null) web.ConfigureTestServices(services);
        });
        // An explicit loopback listener on port 0: UseKestrel(0) was seen binding 127.0.0.1:5000, which fails
        // while another test run on the machine holds that port.
        factory.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, port));
        factory.StartServer();
        return (factory, factory.ClientOptions.BaseAddress.ToString().TrimEnd('/'));
    }

    /// <summary>Opens a page signed in as the bootstrap admin (who may open every page); see <see cref="SignInAsync"/> for other users.</summary>
    public Task<IPage> OpenAsync(string path) => SignInAsync("admin", path);

    /// <summary>Opens a page in a new browser context without signing in (pages that need a user redirect to the static sign-in page).</summary>
    public async Task<IPage> OpenAnonymousAsync(string path)
    {
        var page = await NewPageAsync();
        await page.GotoAsync(BaseUrl + path);
        return page;
    }

    /// <summary>
    /// Signs a demo account (Development: password "demo") in through the sign-in form in a fresh browser context,
    /// then opens <paramref name="path"/> and waits until the circuit is interactive.
    /// </summary>
    public Task<IPage> SignInAsync(string user, string path = "/", string password = "demo") => SignInAtAsync(BaseUrl, user, path, password);

    /// <summary>As <see cref="SignInAsync"/>, on the node at <paramref name="baseUrl"/>.</summary>
    public async Task<IPage> SignInAtAsync(string baseUrl, string user, string path = "/", string password = "demo")
    {
        var page = await NewPageAsync();
        await page.GotoAsync($"{baseUrl}/account/signin?returnUrl={Uri.EscapeDataString(path)}");
        await page.Locator("#username").FillAsync(user);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("#signin-submit").ClickAsync();
        // Before the SignalR circuit exists a click is lost: wait for the layout's interactive marker.
        await page.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        return page;
    }

    /// <summary>A page in a fresh browser context (its own cookies).</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { AcceptDownloads = true, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        return await context.NewPageAsync();
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    public static string ChromiumPath()
    {
        var configured = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        foreach (var candidate in new[] { configured, "/usr/bin/chromium", "/usr/bin/chromium-browser" })
        {
            if (!string.IsNullOrWhiteSpace(candidate) && File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException("Chromium was not found: run the tests with `bash tests/run-all.sh` (installs it), install it with `apt-get install -y chromium`, or set CHROMIUM_PATH.");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        if (ConnectionString.Length > 0) await TestCluster.DropDatabaseAsync(ConnectionString);
    }
}
