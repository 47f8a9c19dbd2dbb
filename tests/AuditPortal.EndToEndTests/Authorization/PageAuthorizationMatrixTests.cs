using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;

namespace AuditPortal.EndToEndTests.Authorization;

/// <summary>
/// Every routable page of the portal (found by reflection, so pages added later are covered) fetched over HTTP by
/// anonymous, support, auditor, admin and an admin revoked after signing in.
/// </summary>
public class PageAuthorizationMatrixTests(PortalWebFactory portal, ITestOutputHelper output) : IClassFixture<PortalWebFactory>
{
    private enum Outcome { Page, SignIn, NoAccess }

    /// <summary>Which permissions open which part of the portal: the specification the pages are checked against.</summary>
    private static Permission[]? Required(string route) => route switch
    {
        _ when route.StartsWith("/account/", StringComparison.Ordinal) => null,
        "/not-found" => null,
        "/error" => null,
        // One's own preferences (time zone, saved searches): every signed-in person, whatever they hold, and only their own.
        "/preferences" => [],
        // The overview opens for every signed-in user; one who holds no permission at all sees the no-access notice there.
        "/" => Enum.GetValues<Permission>(),
        _ when Under(route, "/wallets") => [Permission.ReadWallets],
        _ when Under(route, "/jobs") => [Permission.ReadJobs],
        _ when Under(route, "/audit") => [Permission.ReadAudit],
        // Service tokens hand out access: admins only (auditors see their issue, use and revocation in the audit trail).
        "/access-control/service-tokens" => [Permission.EditAccessControl],
        // The access review included: admins and auditors.
        _ when Under(route, "/access-control") => [Permission.EditAccessControl, Permission.ReadAudit],
        _ when Under(route, "/projections") => [Permission.ManageProjections],
        // Whoever may ask for a change that needs a second person, approve one, or audit.
        _ when Under(route, "/approvals") => [Permission.ApproveChanges, Permission.GrantCredits, Permission.SpendCredits, Permission.EditAccessControl, Permission.ReadAudit],
        _ => throw new InvalidOperationException($"The page {route} is not in the authorization matrix: add its rule to Required()."),
    };

    private static bool Under(string route, string prefix) => route == prefix || route.StartsWith(prefix + "/", StringComparison.Ordinal);

    public static IReadOnlyList<string> Routes() =>
        typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => r.Template))
            .Select(Concrete)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Fills route parameters with a fresh id: authorization is decided before the page looks anything up.</summary>
    private static string Concrete(string template)
    {
        var segments = template.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => !(s.StartsWith('{') && s.Contains('?', StringComparison.Ordinal)))
            .Select(s => !s.StartsWith('{') ? s
                : s.Contains(":int", StringComparison.Ordinal) || s.Contains(":long", StringComparison.Ordinal) || s.Contains("Seq", StringComparison.OrdinalIgnoreCase) ? "1"
                : Guid.CreateVersion7().ToString());
        return "/" + string.Join('/', segments);
    }

    [Fact]
    public async Task Given_each_persona_When_each_page_is_requested_Then_it_opens_redirects_to_sign_in_or_shows_no_access()
    {
        var (support, auditor, admin, revoked) = await portal.PersonaClientsAsync();

        var actors = new (string Name, HttpClient Client, Permission[] Holds, bool SignedIn)[]
        {
            ("anonymous", portal.Client(), [], false),
            ("alice (support)", support, Personas.Support, true),
            ("carol (auditor)", auditor, Personas.Auditor, true),
            ("admin", admin, Personas.Admin, true),
            ("dave (revoked admin)", revoked, [], true),
        };

        var routes = Routes();
        Assert.Contains("/", routes);
        Assert.Contains("/account/signin", routes);
        Assert.Contains("/access-control/review", routes);
        var cells = 0;
        var mismatches = new List<string>();
        foreach (var route in routes)
        foreach (var (name, client, holds, signedIn) in actors)
        {
            var required = Required(route);
            var expected = route == "/account/access-denied" ? Outcome.NoAccess
                : required is null ? Outcome.Page
                : !signedIn ? Outcome.SignIn
                : required.Length == 0 || required.Any(holds.Contains) ? Outcome.Page
                : Outcome.NoAccess;
            var actual = await OutcomeOfAsync(client, route);
            cells++;
            if (actual != expected) mismatches.Add($"{name} GET {route}: expected {expected}, got {actual}");
        }

        foreach (var m in mismatches) output.WriteLine("MISMATCH " + m);
        output.WriteLine($"{cells} cells, {mismatches.Count} mismatches ({routes.Count} pages: {string.Join(", ", routes)})");
        Assert.Equal(routes.Count * actors.Length, cells);
        Assert.Empty(mismatches);
    }

    private static async Task<Outcome> OutcomeOfAsync(HttpClient client, string route)
    {
        using var response = await client.GetAsync(route);
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            var location = response.Headers.Location!.OriginalString;
            if (location.Contains("/account/signin?returnUrl=" + Uri.EscapeDataString(route), StringComparison.Ordinal)) return Outcome.SignIn;
            if (location.Contains("/account/access-denied", StringComparison.Ordinal))
            {
                // The no-access page itself must say so.
                var page = await client.GetStringAsync(location);
                return page.Contains("You do not have access", StringComparison.Ordinal) ? Outcome.NoAccess : throw new InvalidOperationException("The no-access page does not say so.");
            }
            throw new InvalidOperationException($"GET {route} redirected to {location}");
        }
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {route} answered {(int)response.StatusCode}");
        var body = await response.Content.ReadAsStringAsync();
        return body.Contains("id=\"no-access\"", StringComparison.Ordinal) ? Outcome.NoAccess : Outcome.Page;
    }

    [Fact]
    public void Given_every_routable_page_When_inspected_Then_it_declares_its_authorization()
    {
        var pages = typeof(Program).Assembly.GetTypes().Where(t => t.GetCustomAttributes<RouteAttribute>().Any()).ToList();
        Assert.NotEmpty(pages);
        Assert.All(pages, page => Assert.True(
            page.GetCustomAttributes<AuthorizeAttribute>(inherit: true).Any() || page.GetCustomAttributes<AllowAnonymousAttribute>().Any(),
            $"{page.FullName} has neither [Authorize] nor [AllowAnonymous]"));
    }
}
