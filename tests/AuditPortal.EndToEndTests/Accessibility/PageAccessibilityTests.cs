using System.Reflection;
using Microsoft.AspNetCore.Components;

namespace AuditPortal.EndToEndTests.Accessibility;

/// <summary>
/// WCAG 2.1 AA in the browser: axe-core over every routable page of the portal (found by reflection, so a new page is
/// covered without touching this test), for each persona, in light and dark mode, plus the states a page only shows
/// after an action: the ACL grant and revoke dialogs, forms showing their errors, an expanded audit row.
/// </summary>
public partial class PageAccessibilityTests(DemoPortalServer server, ITestOutputHelper output) : IClassFixture<DemoPortalServer>
{
    // Support, auditor, admin. A11Y_PERSONAS=admin (comma-separated) narrows a local run while fixing a page.
    private static readonly string[] Personas =
        Environment.GetEnvironmentVariable("A11Y_PERSONAS") is { Length: > 0 } only ? only.Split(',') : ["alice", "carol", "admin"];
    private static readonly string[] Modes = ["light", "dark"];

    [Fact]
    public async Task Given_every_routable_page_When_each_persona_opens_it_in_light_and_dark_mode_Then_axe_finds_no_serious_or_critical_violation()
    {
        var templates = RouteTemplates();
        var paths = await ResolveAsync(templates);
        var findings = new List<AxeFinding>();
        var states = new HashSet<string>();
        var scans = 0;
        var timings = new List<(string State, TimeSpan Took)>();
        var total = System.Diagnostics.Stopwatch.StartNew();

        async Task CheckAsync(IPage page, string persona, string mode, string state)
        {
            await SettledAsync(page, mode);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            findings.AddRange(await AxeCheck.RunAsync(page, persona, mode, state));
            timings.Add(($"{state} ({persona}, {mode})", watch.Elapsed));
            states.Add(state);
            scans++;
        }

        foreach (var mode in Modes)
        {
            // The sign-in page renders statically and before anyone is known: checked once per mode, empty and with its error.
            var anonymous = await server.NewPageAsync(mode);
            await anonymous.GotoAsync(server.BaseUrl + "/account/signin");
            await CheckAsync(anonymous, "anonymous", mode, "/account/signin");
            await anonymous.Locator("#username").FillAsync("alice");
            await anonymous.Locator("#password").FillAsync("wrong password");
            await anonymous.Locator("#signin-submit").ClickAsync();
            await Assertions.Expect(anonymous.Locator("#signin-error")).ToBeVisibleAsync();
            await CheckAsync(anonymous, "anonymous", mode, "/account/signin with a sign-in error");
            await anonymous.Context.CloseAsync();

            foreach (var persona in Personas)
            {
                var page = await server.SignInAsync(persona, mode);
                foreach (var (template, path) in paths)
                {
                    if (template == "/account/signin") continue;
                    await page.GotoAsync(server.BaseUrl + path);
                    await CheckAsync(page, persona, mode, template);
                    await CheckPageStatesAsync(page, persona, mode, template, CheckAsync);
                }
                await page.Context.CloseAsync();
            }
        }

        var failing = findings.Where(f => AxeCheck.FailingImpacts.Contains(f.Impact)).ToList();
        var reported = findings.Count - failing.Count;
        output.WriteLine($"Routes: {string.Join(", ", templates)}");
        output.WriteLine($"{states.Count} pages × {Modes.Length} modes, {failing.Count} violations " +
                         $"({Personas.Length} personas, {scans} axe runs, rules {string.Join(" + ", AxeCheck.Tags)}; {reported} moderate or minor findings reported only)");
        output.WriteLine($"Took {total.Elapsed.TotalSeconds:F0} s, of which axe {timings.Sum(t => t.Took.TotalSeconds):F0} s; slowest: " +
                         string.Join(", ", timings.OrderByDescending(t => t.Took).Take(5).Select(t => $"{t.State} {t.Took.TotalSeconds:F1} s")));
        foreach (var group in failing.GroupBy(f => f.Rule).OrderByDescending(g => g.Count()))
        {
            output.WriteLine($"{group.Key}: {group.Count()} elements");
            foreach (var f in group) output.WriteLine("  " + f);
        }
        foreach (var f in findings.Except(failing)) output.WriteLine("  (reported only) " + f);
        await WriteReportAsync(failing, states.Count, scans);

        Assert.True(failing.Count == 0,
            $"{failing.Count} serious or critical accessibility violations:\n" +
            string.Join("\n", failing.GroupBy(f => (f.Rule, f.Target, f.State)).Select(g =>
                $"{g.Key.Rule} at {g.Key.Target} on {g.Key.State} ({string.Join(", ", g.Select(f => $"{f.Persona}/{f.Mode}").Distinct())}): {g.First().Help}; {g.First().Detail}")));
    }

    /// <summary>Dialogs, form errors and expanded rows: what the page shows only after the user acts.</summary>
    private static async Task CheckPageStatesAsync(IPage page, string persona, string mode, string template, Func<IPage, string, string, string, Task> check)
    {
        switch (template)
        {
            case "/access-control/{Id}" when persona == "admin":
                await page.Locator("#acl-grant").ClickAsync();
                await Assertions.Expect(page.Locator(".mud-dialog #acl-principal")).ToBeVisibleAsync();
                await check(page, persona, mode, "ACL grant dialog");
                await page.Locator("#acl-submit").ClickAsync();
                await Assertions.Expect(page.Locator(".mud-dialog .mud-input-error").First).ToBeVisibleAsync();
                await check(page, persona, mode, "ACL grant dialog with field errors");
                await page.Locator("#acl-cancel").ClickAsync();
                await Assertions.Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);
                await page.Locator(".acl-revoke").First.ClickAsync();
                await Assertions.Expect(page.Locator(".mud-dialog #acl-principal")).ToBeVisibleAsync();
                await check(page, persona, mode, "ACL revoke dialog");
                await page.Locator("#acl-cancel").ClickAsync();
                await Assertions.Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);
                break;
            case "/wallets/{Id}" when persona == "alice":
                await page.Locator("#grant-submit").ClickAsync();
                await Assertions.Expect(page.Locator("#grant-form .mud-input-error").First).ToBeVisibleAsync();
                await check(page, persona, mode, "wallet grant form with field errors");
                break;
            case "/audit" when persona != "alice":
                await page.Locator("tr.audit-row .audit-expand").First.ClickAsync();
                await Assertions.Expect(page.Locator(".audit-payload").First).ToBeVisibleAsync();
                await check(page, persona, mode, "audit explorer with an event expanded");
                break;
        }
    }

    /// <summary>
    /// Waits for what the user would wait for: the circuit is interactive in the asked-for theme, the page has its heading
    /// and nothing is loading any more.
    /// </summary>
    private static async Task SettledAsync(IPage page, string mode)
    {
        if (await page.Locator(".mud-layout[data-theme]").CountAsync() > 0)
        {
            await Assertions.Expect(page.Locator(".mud-layout")).ToHaveAttributeAsync("data-interactive", "true");
            await Assertions.Expect(page.Locator(".mud-layout")).ToHaveAttributeAsync("data-theme", mode);
        }
        await Assertions.Expect(page.Locator("h1").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".mud-progress-linear:visible")).ToHaveCountAsync(0);
    }

    /// <summary>Every @page route of the portal, read from the components of the web assembly.</summary>
    public static IReadOnlyList<string> RouteTemplates() =>
        typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && !t.IsAbstract)
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>())
            .Select(r => "/" + r.Template.TrimStart('/'))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// An address for each route: routes with parameters take a real id from a link on the other pages (the wallet,
    /// job, ACL and audit lists link to their details), as an admin who may open them all.
    /// </summary>
    private async Task<IReadOnlyList<(string Template, string Path)>> ResolveAsync(IReadOnlyList<string> templates)
    {
        var page = await server.SignInAsync("admin", "light");
        var hrefs = new List<string>();
        foreach (var template in templates.Where(t => !t.Contains('{')))
        {
            if (template == "/account/signin") continue;
            await page.GotoAsync(server.BaseUrl + template);
            await SettledAsync(page, "light");
            hrefs.AddRange(await page.Locator("a[href]").EvaluateAllAsync<string[]>("as => as.map(a => new URL(a.href).pathname)"));
        }
        await page.Context.CloseAsync();

        var resolved = new List<(string, string)>();
        var missing = new List<string>();
        foreach (var template in templates)
        {
            if (!template.Contains('{'))
            {
                resolved.Add((template, template));
                continue;
            }
            var pattern = new Regex("^" + Parameter().Replace(Regex.Escape(template).Replace(@"\{", "{"), "[^/]+") + "$");
            var sample = hrefs.FirstOrDefault(pattern.IsMatch);
            if (sample is null) missing.Add(template);
            else resolved.Add((template, sample));
        }
        Assert.True(missing.Count == 0,
            $"No page links to an address for {string.Join(", ", missing)}: link to it from a list page, or give the accessibility test a sample address.");
        return resolved;
    }

    private static async Task WriteReportAsync(IReadOnlyList<AxeFinding> failing, int pages, int scans)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(folder);
        await File.WriteAllLinesAsync(Path.Combine(folder, "accessibility.txt"),
            [$"{pages} pages × {Modes.Length} modes, {failing.Count} violations ({scans} axe runs)", .. failing.Select(f => f.ToString())]);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
