using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;

namespace AuditPortal.EndToEndTests.Accessibility;

/// <summary>One element that breaks one axe rule, with everything needed to find it again.</summary>
public sealed record AxeFinding(string Persona, string Mode, string State, string Url, string Rule, string Impact, string Help, string Target, string Html, string Detail)
{
    public override string ToString() =>
        $"{Rule} ({Impact}) on \"{State}\" as {Persona}, {Mode} mode [{Url}]\n    target: {Target}\n    html:   {Html}\n    why:    {Help}: {Detail}";
}

/// <summary>axe-core over the current page with the WCAG 2.0/2.1 level A and AA rules.</summary>
public static class AxeCheck
{
    public static readonly string[] Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    /// <summary>Impacts that fail the check; "moderate" and "minor" are reported only.</summary>
    public static readonly string[] FailingImpacts = ["serious", "critical"];

    public static async Task<IReadOnlyList<AxeFinding>> RunAsync(IPage page, string persona, string mode, string state)
    {
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = RunOnlyOptions.Tags(Tags),
            ResultTypes = [ResultType.Violations],
        });
        var url = new Uri(page.Url).PathAndQuery;
        return result.Violations
            .SelectMany(v => v.Nodes.Select(n => new AxeFinding(persona, mode, state, url, v.Id, n.Impact ?? v.Impact ?? "unknown", v.Help,
                n.Target?.ToString() ?? "?", Shorten(n.Html), Detail(n))))
            .ToList();
    }

    /// <summary>What axe measured, e.g. "insufficient color contrast of 2.94 (foreground color: #ffffff, background color: #00c853 …)".</summary>
    private static string Detail(AxeResultNode node) =>
        string.Join(" ", new[] { node.Any, node.All, node.None }.Where(c => c is not null).SelectMany(c => c).Select(c => c.Message).Where(m => !string.IsNullOrEmpty(m)));

    private static string Shorten(string? html) => html is null ? "" : html.Length <= 200 ? html : html[..200] + "…";
}
