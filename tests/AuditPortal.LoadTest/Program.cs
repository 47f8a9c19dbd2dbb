using JasperFx.Events.Daemon;
using Microsoft.Playwright;

// Live pages under load, run by hand (never in CI; run it through the test lock):
//   flock /tmp/auditportal-tests.lock dotnet run -c Release --project tests/AuditPortal.LoadTest -- --pages 100 --nodes 2 [--client circuit|chromium]
// Opens --pages live pages on one wallet (spread over --nodes portal nodes, HotCold on one database), then reports the
// portal's memory per open page, commit-to-page latency of --grants single grants (p50/p95/max over every page), and a
// burst of --burst grants: CPU of the portal node(s), renders per page, time until every page shows the end.
// --client circuit (default): light clients that speak the circuit protocol (CircuitClient.cs) to node processes of
// their own (CircuitLoad.cs), so memory and CPU are the nodes' own (the live managed heap too, if dotnet-gcdump is installed:
// `dotnet tool install -g dotnet-gcdump`). --client chromium: Chromium tabs on nodes hosted in
// this process (the figures then include the browser client's share of this process and of the machine).
namespace AuditPortal.LoadTest;

// Not top-level statements: their generated Program would clash with the portal's own Program class.
internal static class LoadTestProgram
{
    public static async Task<int> Main(string[] args)
    {
        var pageCount = Arg(args, "--pages", 100);
        var nodeCount = Math.Clamp(Arg(args, "--nodes", 1), 1, 2);
        var grants = Arg(args, "--grants", 20);
        var burst = Arg(args, "--burst", 1000);

        // WebApplicationFactory finds the portal's content root through attributes only test projects get: name it.
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "AuditPortal.sln"))) root = root.Parent!;
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_AUDITPORTAL_WEB", Path.Combine(root.FullName, "src", "AuditPortal.Web"));

        var client = Array.IndexOf(args, "--client") is var c and >= 0 && c + 1 < args.Length ? args[c + 1] : "circuit";
        if (client == "circuit") return await CircuitLoad.RunAsync(pageCount, nodeCount, grants, burst, Arg(args, "--senders", 4));
        if (client != "chromium") throw new ArgumentException($"--client {client}: circuit or chromium");

        await using var portal = new LoadPortal();
        await portal.InitializeAsync();
        string[] nodes = nodeCount == 2 ? [portal.BaseUrl, portal.StartSecondNode()] : [portal.BaseUrl];
        var wallets = portal.Services.GetRequiredService<WalletService>();
        var store = portal.Services.GetRequiredService<IDocumentStore>();
        var system = Actor.System("load-test");
        var walletId = Guid.CreateVersion7();
        Check(await wallets.OpenAsync(system, Guid.CreateVersion7(), walletId, "Load Test Ltd"));
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        // One signed-in browser context per node (cookies ignore ports, and the nodes share data-protection keys).
        var first = await portal.SignInAtAsync(nodes[0], "alice", $"/wallets/{walletId}");
        var context = first.Context;
        await first.CloseAsync();
        var before = Memory();
        var pages = new List<IPage>();
        var opening = Stopwatch.StartNew();
        for (var i = 0; i < pageCount; i++)
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync($"{nodes[i % nodes.Length]}/wallets/{walletId}");
            await page.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
            await Assertions.Expect(page.Locator("#wallet-balance")).ToHaveTextAsync("0");
            // Records when each balance first appears (browser clock = this machine's clock) and how often the value changed.
            await page.EvaluateAsync("""
                () => {
                  window.__seen = {}; window.__changes = 0;
                  const record = () => {
                    const t = document.querySelector('#wallet-balance')?.textContent;
                    if (t && !(t in window.__seen)) { window.__seen[t] = Date.now(); window.__changes++; }
                  };
                  new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
                }
                """);
            pages.Add(page);
        }
        var circuits = portal.Circuits();
        var after = Memory();
        Console.WriteLine($"{pageCount} live wallet pages on {nodes.Length} node(s) opened in {opening.Elapsed.TotalSeconds:N1} s");
        Console.WriteLine($"portal memory: managed heap {Mib(before.Managed)} -> {Mib(after.Managed)} MiB, working set {Mib(before.WorkingSet)} -> {Mib(after.WorkingSet)} MiB " +
                          $"(this process: portal nodes and the Playwright client); per open page: managed {Mib((after.Managed - before.Managed) / pageCount):N2} MiB, " +
                          $"working set {Mib((after.WorkingSet - before.WorkingSet) / pageCount):N2} MiB; circuits {circuits}");

        // Single grants, one at a time: from the start of the command to the new balance on every page.
        var latencies = new List<double>();
        var balance = 0;
        for (var g = 0; g < grants; g++)
        {
            var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            Check(await wallets.GrantAsync(system, Guid.CreateVersion7(), walletId, 1, "load test", null));
            balance++;
            var seen = await SeenAsync(balance.ToString("N0", System.Globalization.CultureInfo.CurrentCulture), TimeSpan.FromSeconds(30));
            latencies.AddRange(seen.Select(t => (double)(t - start)));
        }
        latencies.Sort();
        Console.WriteLine($"commit to page ({grants} grants x {pageCount} pages): p50 {Pct(latencies, 50):N0} ms, p95 {Pct(latencies, 95):N0} ms, max {latencies[^1]:N0} ms");

        // A burst: grants as fast as one writer sends them; CPU of this process while it lasts and until every page shows the end.
        var changesBefore = await ChangesAsync();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var b = 0; b < burst; b++) Check(await wallets.GrantAsync(system, Guid.CreateVersion7(), walletId, 1, "burst", null));
        var sent = clock.Elapsed;
        balance += burst;
        var lastCommit = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var end = await SeenAsync(balance.ToString("N0", System.Globalization.CultureInfo.CurrentCulture), TimeSpan.FromSeconds(120));
        var wall = clock.Elapsed;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var reloads = (await ChangesAsync()).Zip(changesBefore, (a, b) => a - b).ToList();
        Console.WriteLine($"burst of {burst} grants sent in {sent.TotalSeconds:N1} s ({burst / sent.TotalSeconds:N0}/s); every page showed the end " +
                          $"{end.Max() - lastCommit:N0} ms after the last commit; portal process CPU {cpu.TotalSeconds:N1} s over {wall.TotalSeconds:N1} s " +
                          $"({100 * cpu.TotalSeconds / wall.TotalSeconds / Environment.ProcessorCount:N0}% of {Environment.ProcessorCount} cores); " +
                          $"balance changes rendered per page: min {reloads.Min()}, max {reloads.Max()}, mean {reloads.Average():N1}");
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;

        async Task<List<long>> SeenAsync(string value, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var times = new List<long>();
                foreach (var page in pages)
                {
                    var at = await page.EvaluateAsync<long?>("v => window.__seen[v] ?? null", value);
                    if (at is null) break;
                    times.Add(at.Value);
                }
                if (times.Count == pages.Count) return times;
                if (deadline.Elapsed > timeout) throw new TimeoutException($"{value} not on every page after {timeout.TotalSeconds} s ({times.Count} of {pages.Count})");
                await Task.Delay(100);
            }
        }

        async Task<List<int>> ChangesAsync()
        {
            var counts = new List<int>();
            foreach (var page in pages) counts.Add(await page.EvaluateAsync<int>("() => window.__changes"));
            return counts;
        }

        static (long Managed, long WorkingSet) Memory()
        {
            for (var i = 0; i < 3; i++) GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var process = Process.GetCurrentProcess();
            return (GC.GetTotalMemory(true), process.WorkingSet64);
        }

    }

    public static double Mib(long bytes) => Math.Round(bytes / (1024.0 * 1024.0), 2);
    public static double Pct(List<double> sorted, int p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    public static void Check(CommandResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException(result.Message);
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }
}

/// <summary>The browser tests' portal (node A, database, Chromium) with the settings of several nodes.</summary>
internal sealed class LoadPortal : PortalServer, IAsyncDisposable
{
    private readonly string _keys = Directory.CreateTempSubdirectory("auditportal-load-keys-").FullName;
    private readonly List<IAsyncDisposable> _more = [];

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["DataProtection:KeyDirectory"] = _keys,
        ["Projections:DaemonMode"] = "HotCold",
        // The load test measures the portal, not its request log.
        ["Serilog:MinimumLevel:Default"] = "Warning",
    };

    public string StartSecondNode()
    {
        var (factory, url) = StartNode(ConnectionString, Settings);
        _more.Add(factory);
        return url;
    }

    /// <summary>Live-refresh subscribers of node A (one per open wallet page).</summary>
    public int Circuits() => Services.GetRequiredService<AuditPortal.Core.Projections.ReadModelChanges>().SubscriberCount;

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        foreach (var node in _more) await node.DisposeAsync();
        await base.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }
}
