using static AuditPortal.LoadTest.LoadTestProgram;

namespace AuditPortal.LoadTest;

/// <summary>
/// The load test with <see cref="CircuitClient"/>s: the portal nodes run as processes of their own (the build's
/// AuditPortal.Web.dll, Development, HotCold on one database), so their memory (/proc/&lt;pid&gt;/status) and CPU
/// (/proc/&lt;pid&gt;/stat) are theirs alone. The grants are sent by a writer hosted in this process, which runs no
/// projections and serves no page.
/// </summary>
internal static partial class CircuitLoad
{
    public static async Task<int> RunAsync(int pageCount, int nodeCount, int grants, int burst, int senders)
    {
        var connectionString = await TestCluster.CreateDatabaseAsync("LoadTest");
        var keys = Directory.CreateTempSubdirectory("auditportal-load-keys-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["DataProtection:KeyDirectory"] = keys,
            ["Projections:DaemonMode"] = "HotCold",
            // The load test measures the portal, not its request log.
            ["Serilog:MinimumLevel:Default"] = "Warning",
            // ... but a node process says where it listens at this level (PortalNodeProcess waits for that line).
            ["Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime"] = "Information",
        };
        var writer = PortalServer.StartNode(connectionString, new Dictionary<string, string?>(settings) { ["Projections:DaemonMode"] = "Disabled" });
        var nodes = new List<PortalNodeProcess>();
        var clients = new List<CircuitClient>();
        try
        {
            for (var n = 0; n < nodeCount; n++) nodes.Add(await PortalNodeProcess.StartAsync(connectionString, settings));
            var wallets = writer.Factory.Services.GetRequiredService<WalletService>();
            var store = writer.Factory.Services.GetRequiredService<IDocumentStore>();
            var system = Actor.System("load-test");
            var walletId = Guid.CreateVersion7();
            Check(await wallets.OpenAsync(system, Guid.CreateVersion7(), walletId, "Load Test Ltd"));
            await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
            // The balance starts at 100,000 so that the page shows it as "100,000", "100,001", …: no other text of the
            // page (versions, counts, attributes) looks like that, so a render batch's strings tell which balance it shows.
            const long startingBalance = 100_000;
            Check(await wallets.GrantAsync(system, Guid.CreateVersion7(), walletId, (int)startingBalance, "load test: starting balance", null));
            await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
            static IEnumerable<long> Balances(IReadOnlyList<string> strings)
            {
                var shown = strings.Select(s => CircuitClient.TryNumber(s, out var n) && n >= startingBalance && s == n.ToString("N0", CultureInfo.CurrentCulture) ? n : -1).DefaultIfEmpty(-1).Max();
                return shown >= 0 ? [shown] : [];
            }

            var cookies = new CookieContainer();
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies });
            await SignInAsync(http, nodes[0].BaseUrl, "alice");

            Console.WriteLine($"circuit clients, {pageCount} pages on {nodeCount} node process(es); load average {LoadAverage()}");
            // Resident memory first: the heap snapshot's full collection would lower it.
            var rssEmpty = nodes.Select(Rss).ToList();
            var heapEmpty = await Task.WhenAll(nodes.Select(ManagedHeapAsync));
            var opening = Stopwatch.StartNew();
            List<long>? rssTen = null;
            for (var i = 0; i < pageCount; i++)
            {
                var client = await CircuitClient.OpenAsync(http, cookies, $"{nodes[i % nodes.Count].BaseUrl}/wallets/{walletId}", Balances, TimeSpan.FromSeconds(60));
                clients.Add(client);
                await Poll.UntilAsync(() => Task.FromResult(client), c => c.Seen.ContainsKey(startingBalance) || c.Error is not null, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(20),
                    c => $"page {i} shows no balance {startingBalance:N0}; its last render: {string.Join(" | ", c.LastStrings.Take(60))}");
                if (client.Error is not null) throw new InvalidOperationException($"page {i}: {client.Error}");
                if (i == 9) rssTen = nodes.Select(Rss).ToList();
            }
            var opened = opening.Elapsed;
            var rssFull = nodes.Select(Rss).ToList();
            var heapFull = await Task.WhenAll(nodes.Select(ManagedHeapAsync));
            var total = rssFull.Sum() - rssEmpty.Sum();
            Console.WriteLine($"{pageCount} live wallet pages opened in {opened.TotalSeconds:N1} s; node RSS (MiB) {string.Join(" + ", rssEmpty.Select(Mib))} -> " +
                              $"{string.Join(" + ", rssFull.Select(Mib))}; per open page {Mib(total / pageCount):N2} MiB" +
                              (rssTen is null || pageCount <= 10 ? "" : $" (pages 11-{pageCount}: {Mib((rssFull.Sum() - rssTen.Sum()) / (pageCount - 10)):N2} MiB)") +
                              (heapEmpty.Any(h => h is null) ? "; managed heap not read (install dotnet-gcdump)"
                                  : $"; live managed heap (MiB) {string.Join(" + ", heapEmpty.Select(h => Mib(h!.Value)))} -> {string.Join(" + ", heapFull.Select(h => Mib(h!.Value)))}, " +
                                    $"per open page {Mib((heapFull.Sum(h => h!.Value) - heapEmpty.Sum(h => h!.Value)) / pageCount):N2} MiB") +
                              $"; JS interop calls answered per page {clients.Average(c => c.JsCalls):N1}; load average {LoadAverage()}");

            // Single grants, one at a time: from the start of the command (its commit included) to the new balance on every page.
            var latencies = new List<double>();
            var afterCommit = new List<double>();
            var firstPage = new List<double>();
            var spread = new List<double>();
            var balance = startingBalance;
            for (var g = 0; g < grants; g++)
            {
                var start = Stopwatch.GetTimestamp();
                Check(await wallets.GrantAsync(system, Guid.CreateVersion7(), walletId, 1, "load test", null));
                var committed = Stopwatch.GetTimestamp();
                balance++;
                var value = balance;
                await Poll.UntilAsync(() => clients.All(c => c.Seen.ContainsKey(value)), TimeSpan.FromSeconds(30));
                latencies.AddRange(clients.Select(c => Stopwatch.GetElapsedTime(start, c.Seen[value]).TotalMilliseconds));
                afterCommit.AddRange(clients.Select(c => Stopwatch.GetElapsedTime(committed, c.Seen[value]).TotalMilliseconds));
                // Where the time goes: the first page shows the path commit → NOTIFY → change feed → reload → render;
                // the spread to the last page is the other pages' reloads and renders waiting for the node's CPU.
                firstPage.Add(clients.Min(c => Stopwatch.GetElapsedTime(committed, c.Seen[value]).TotalMilliseconds));
                spread.Add(Stopwatch.GetElapsedTime(clients.Min(c => c.Seen[value]), clients.Max(c => c.Seen[value])).TotalMilliseconds);
            }
            latencies.Sort();
            afterCommit.Sort();
            Console.WriteLine($"grant to every page ({grants} grants x {pageCount} pages): p50 {Pct(latencies, 50):N0} ms, p95 {Pct(latencies, 95):N0} ms, " +
                              $"max {latencies[^1]:N0} ms (from the command's return: p50 {Pct(afterCommit, 50):N0}, p95 {Pct(afterCommit, 95):N0}, " +
                              $"max {afterCommit[^1]:N0} ms); load average {LoadAverage()}");
            firstPage.Sort();
            spread.Sort();
            Console.WriteLine($"  per grant, from the command's return to the first page: p50 {Pct(firstPage, 50):N0} ms, max {firstPage[^1]:N0} ms; " +
                              $"first to last page: p50 {Pct(spread, 50):N0} ms, max {spread[^1]:N0} ms");

            // A burst: --senders writers send --burst grants as fast as they can (a grant that lost the race for the
            // stream's version is sent again); CPU of the nodes from the first grant until every page shows the end.
            var rendersBefore = clients.Select(c => c.Renders).ToList();
            var cpuBefore = nodes.Select(Cpu).ToList();
            var selfBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var first = balance;
            var clock = Stopwatch.StartNew();
            var remaining = burst;
            var conflicts = 0;
            await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Decrement(ref remaining) >= 0)
                {
                    while (!(await wallets.GrantAsync(system, Guid.CreateVersion7(), walletId, 1, "burst", null)).Succeeded) Interlocked.Increment(ref conflicts);
                }
            })));
            var sent = clock.Elapsed;
            var lastCommit = Stopwatch.GetTimestamp();
            balance += burst;
            var end = balance;
            await Poll.UntilAsync(() => clients.All(c => c.Seen.ContainsKey(end)), TimeSpan.FromSeconds(120));
            var wall = clock.Elapsed;
            var cpu = nodes.Select((n, i) => Cpu(n) - cpuBefore[i]).ToList();
            var self = Process.GetCurrentProcess().TotalProcessorTime - selfBefore;
            var renders = clients.Select((c, i) => c.Renders - rendersBefore[i]).ToList();
            var values = clients.Select(c => c.Seen.Keys.Count(k => k > first)).ToList();
            var showedEnd = clients.Max(c => Stopwatch.GetElapsedTime(lastCommit, c.Seen[end]).TotalMilliseconds);
            Console.WriteLine($"burst of {burst} grants by {senders} senders in {sent.TotalSeconds:N1} s ({burst / sent.TotalSeconds:N0}/s, {conflicts} sent again after a version conflict); " +
                              $"every page showed the end {Math.Max(0, showedEnd):N0} ms after the last commit; node CPU {string.Join(" + ", cpu.Select(c => $"{c.TotalSeconds:N1} s"))} " +
                              $"over {wall.TotalSeconds:N1} s ({100 * cpu.Sum(c => c.TotalSeconds) / wall.TotalSeconds / Environment.ProcessorCount:N0}% of {Environment.ProcessorCount} cores; " +
                              $"writer and clients in this process {self.TotalSeconds:N1} s); render batches per page min {renders.Min()}, max {renders.Max()}, mean {renders.Average():N1}; " +
                              $"balances shown per page min {values.Min()}, max {values.Max()}; load average {LoadAverage()}");
            // A page whose interop answer upset a component would show here (the nodes log warnings and errors only).
            foreach (var node in nodes)
            {
                var problems = node.Output.Split('\n').Where(l => l.Contains(" WRN]", StringComparison.Ordinal) || l.Contains(" ERR]", StringComparison.Ordinal)).ToList();
                Console.WriteLine($"node {node.BaseUrl}: {problems.Count} warnings/errors logged{(problems.Count > 0 ? ", first: " + problems[0] : "")}");
            }
            return 0;
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
            foreach (var node in nodes) await node.DisposeAsync();
            await writer.Factory.DisposeAsync();
            await TestCluster.DropDatabaseAsync(connectionString);
            Directory.Delete(keys, recursive: true);
        }
    }

    /// <summary>Signs in through the sign-in form (static server rendering: its hidden fields, antiforgery included).</summary>
    private static async Task SignInAsync(HttpClient http, string baseUrl, string user)
    {
        var url = $"{baseUrl}/account/signin?returnUrl=%2F";
        var form = await http.GetStringAsync(url);
        var fields = new Dictionary<string, string>();
        foreach (Match input in Input().Matches(form))
        {
            var name = Attribute(input.Value, "name");
            if (name is not null) fields[name] = WebUtility.HtmlDecode(Attribute(input.Value, "value") ?? "");
        }
        fields[Attribute(Input().Matches(form).First(m => Attribute(m.Value, "id") == "username").Value, "name")!] = user;
        fields[Attribute(Input().Matches(form).First(m => Attribute(m.Value, "id") == "password").Value, "name")!] = "demo";
        using var response = await http.PostAsync(url, new FormUrlEncodedContent(fields));
        response.EnsureSuccessStatusCode();
        var home = await http.GetAsync($"{baseUrl}/");
        if (home.RequestMessage?.RequestUri?.AbsolutePath.StartsWith("/account/signin", StringComparison.Ordinal) == true)
            throw new InvalidOperationException($"Signing {user} in failed.");

        static string? Attribute(string tag, string name) =>
            Regex.Match(tag, $@"\s{name}=""([^""]*)""") is { Success: true } m ? m.Groups[1].Value : null;
    }

    /// <summary>Resident memory of a node process (VmRSS).</summary>
    private static long Rss(PortalNodeProcess node) =>
        long.Parse(File.ReadLines($"/proc/{node.ProcessId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            CultureInfo.InvariantCulture) * 1024;

    /// <summary>
    /// The node's live managed heap after a full collection, from a heap snapshot by dotnet-gcdump (a .NET diagnostics
    /// tool: `dotnet tool install -g dotnet-gcdump`); null when the tool is not installed. The snapshot pauses the node
    /// for its collection, so it is taken only when nothing is being timed.
    /// </summary>
    private static async Task<long?> ManagedHeapAsync(PortalNodeProcess node)
    {
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump");
        if (!File.Exists(tool)) return null;
        var file = Path.Combine(Path.GetTempPath(), $"auditportal-load-{node.ProcessId}-{Guid.NewGuid():N}.gcdump");
        try
        {
            await RunAsync(tool, "collect", "-p", node.ProcessId.ToString(CultureInfo.InvariantCulture), "-o", file);
            var report = await RunAsync(tool, "report", file);
            var line = report.Split('\n').First(l => l.Contains("GC Heap bytes", StringComparison.Ordinal));
            return long.Parse(line.Trim().Split(' ')[0], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(file);
        }

        static async Task<string> RunAsync(string tool, params string[] args)
        {
            using var process = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"dotnet-gcdump {string.Join(' ', args)}: {output}{await process.StandardError.ReadToEndAsync()}");
            return output;
        }
    }

    /// <summary>CPU time of a node process (utime + stime in /proc/&lt;pid&gt;/stat, clock ticks of 10 ms).</summary>
    private static TimeSpan Cpu(PortalNodeProcess node)
    {
        var stat = File.ReadAllText($"/proc/{node.ProcessId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the command name: field 3 is the state, so utime (14) and stime (15) are at 11 and 12.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    [GeneratedRegex(@"<input\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex Input();
}
