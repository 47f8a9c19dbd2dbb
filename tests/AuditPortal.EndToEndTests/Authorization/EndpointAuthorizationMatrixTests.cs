using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AuditPortal.EndToEndTests.Authorization;

/// <summary>
/// Every endpoint the running app maps (routing's EndpointDataSource: pages, minimal APIs, health, exports, the Blazor
/// hub and framework endpoints, static files), requested by anonymous, support, auditor, admin and an admin revoked a
/// moment ago. The expectation comes from each endpoint's own declared metadata; an endpoint that declares nothing
/// fails, so a new door cannot be added without a decision. Bodies of refused and anonymous responses must not carry
/// seeded data, and every response to a signed-in user (bar public static files) must be no-store.
/// </summary>
public class EndpointAuthorizationMatrixTests(PortalWebFactory portal, ITestOutputHelper output) : IClassFixture<PortalWebFactory>
{
    // Seeded values that only a reader of wallets, the audit feed or the access-control lists may ever see.
    private const string SecretOwner = "owner-7f3a9c";
    private const string SecretReason = "reason-91c2e4";
    private const string SecretPrincipal = "principal-44d1b8";

    /// <summary>The permissions each policy name stands for (any one suffices); empty: any signed-in user.</summary>
    private static Permission[] PermissionsOf(string policy) => policy switch
    {
        Policies.SignedIn => [],
        Policies.ViewAccessControl => [Permission.EditAccessControl, Permission.ReadAudit],
        // The feed's own policy admits a cookie or a token; the feed then needs ExportAudit (SiemFeedEndpointTests covers tokens).
        AuditPortal.Web.Infrastructure.SiemFeedRegistration.Policy => [Permission.ExportAudit],
        Policies.ViewApprovals => [Permission.ApproveChanges, Permission.GrantCredits, Permission.SpendCredits, Permission.EditAccessControl, Permission.ReadAudit],
        _ when Enum.TryParse<Permission>(policy, out var permission) => [permission],
        _ => throw new InvalidOperationException($"Policy {policy} is not known to the matrix: add what it requires to PermissionsOf()."),
    };

    private sealed record Caller(string Name, HttpClient Client, Permission[] Holds, bool SignedIn);

    private enum Outcome { Served, SignIn, Denied }

    [Fact]
    public async Task Given_every_mapped_endpoint_When_each_caller_requests_it_Then_status_and_body_follow_its_declared_policy()
    {
        var sample = await SeedAsync();
        var callers = await CallersAsync();
        var endpoints = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => Methods(e).Select(m => (Endpoint: e, Method: m)))
            .GroupBy(x => (x.Endpoint.RoutePattern.RawText, x.Method)).Select(g => g.First())
            .OrderBy(x => x.Endpoint.RoutePattern.RawText, StringComparer.Ordinal).ToList();
        Assert.Contains(endpoints, x => x.Endpoint.RoutePattern.RawText == "/audit/export.csv");
        Assert.Contains(endpoints, x => x.Endpoint.RoutePattern.RawText == "/access-control/review.csv");
        Assert.Contains(endpoints, x => x.Endpoint.RoutePattern.RawText == "/health/detail");
        Assert.Contains(endpoints, x => x.Endpoint.RoutePattern.RawText == AuditPortal.Web.Infrastructure.SiemFeedEndpoint.Path);
        Assert.Contains(endpoints, x => x.Endpoint.RoutePattern.RawText!.StartsWith("/_blazor", StringComparison.Ordinal));

        var mismatches = new List<string>();
        var undeclared = new List<string>();
        var cells = 0;
        foreach (var (endpoint, method) in endpoints)
        {
            var route = endpoint.RoutePattern.RawText!;
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().ToList();
            // The one framework endpoint no convention reaches: MapStaticAssets' Development-only fallback for files
            // not in the manifest. It falls under the fallback policy (signed-in user), which the cells below check.
            if (!anonymous && policies.Count == 0 && endpoint.DisplayName == "Fallback {**path:file}" && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null)
                policies = [new AuthorizeAttribute(Policies.SignedIn)];
            if (!anonymous && policies.Count == 0)
            {
                undeclared.Add($"{method} {route} ({endpoint.DisplayName}; {string.Join(", ", endpoint.Metadata.Select(m => m.GetType().Name))})");
                continue;
            }
            var required = policies.Select(p => PermissionsOf(p.Policy ?? Policies.SignedIn)).Where(p => p.Length > 0).ToList();
            var isStatic = endpoint.Metadata.GetMetadata<PublicStaticAsset>() is not null;
            var url = Concrete(route, sample);
            foreach (var caller in callers)
            {
                var expected = anonymous ? Outcome.Served
                    : !caller.SignedIn ? Outcome.SignIn
                    : required.All(anyOf => anyOf.Any(caller.Holds.Contains)) ? Outcome.Served
                    : Outcome.Denied;
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (method != "GET" && method != "HEAD") request.Content = new FormUrlEncodedContent([]);
                using var response = await caller.Client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                var actual = OutcomeOf(response);
                cells++;
                if (actual != expected)
                    mismatches.Add($"{caller.Name} {method} {url}: expected {expected}, got {actual} ({(int)response.StatusCode} {response.Headers.Location})");
                if ((int)response.StatusCode >= 500)
                    mismatches.Add($"{caller.Name} {method} {url}: server error {(int)response.StatusCode}");
                if ((!caller.SignedIn || actual != Outcome.Served)
                    && new[] { SecretOwner, SecretReason, SecretPrincipal }.FirstOrDefault(s => body.Contains(s, StringComparison.Ordinal)) is { } leaked)
                    mismatches.Add($"{caller.Name} {method} {url}: the {actual} response carries seeded data '{leaked}'");
                if (caller.SignedIn && !isStatic && response.Headers.CacheControl?.NoStore != true)
                    mismatches.Add($"{caller.Name} {method} {url}: a signed-in response without Cache-Control: no-store");
            }
        }

        foreach (var m in mismatches) output.WriteLine("MISMATCH " + m);
        foreach (var u in undeclared) output.WriteLine("UNDECLARED " + u);
        output.WriteLine($"{endpoints.Count} endpoints × {callers.Count} callers, {mismatches.Count + undeclared.Count} mismatches");
        Assert.Empty(undeclared);
        Assert.Empty(mismatches);
        Assert.Equal(endpoints.Count * callers.Count, cells);
    }

    [Fact]
    public async Task Given_no_cookie_When_the_export_or_health_detail_is_requested_Then_nothing_is_served_and_the_bare_probe_says_status_only()
    {
        await SeedAsync();
        var anonymous = portal.Client();

        using var csv = await anonymous.GetAsync("/audit/export.csv");
        using var json = await anonymous.GetAsync("/audit/export.json?text=a");
        using var detail = await anonymous.GetAsync("/health/detail");
        using var health = await anonymous.GetAsync("/health");

        Assert.All([csv, json, detail], r => Assert.Equal(Outcome.SignIn, OutcomeOf(r)));
        var probe = await health.Content.ReadAsStringAsync();
        Assert.Matches("^\\{\"status\":\"(Healthy|Degraded|Unhealthy)\"\\}$", probe);
        var admin = await portal.SignedInAsync("admin");
        var full = await admin.GetStringAsync("/health/detail");
        Assert.Contains("projections", full, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Methods(RouteEndpoint endpoint)
    {
        var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
        // CONNECT is what the hub's HTTP/2 WebSocket route accepts; an HttpClient cannot send it through TestServer.
        return methods is null or { Count: 0 } ? ["GET"] : methods.Where(m => m != "CONNECT" && m != "OPTIONS");
    }

    private static Outcome OutcomeOf(HttpResponseMessage response)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized) return Outcome.SignIn;
        if (response.StatusCode is HttpStatusCode.Forbidden) return Outcome.Denied;
        if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found && response.Headers.Location?.OriginalString is { } location)
        {
            if (location.Contains("/account/signin?", StringComparison.Ordinal)) return Outcome.SignIn;
            if (location.Contains("/account/access-denied", StringComparison.Ordinal)) return Outcome.Denied;
        }
        return Outcome.Served;
    }

    /// <summary>Route parameters get a real sample value, so an allowed request reaches the data.</summary>
    private static string Concrete(string template, IReadOnlyDictionary<string, string> sample)
    {
        var segments = template.Split('/').Select(s =>
        {
            if (!s.StartsWith('{')) return s;
            var name = s.Trim('{', '}', '*', '?').Split(':', '=')[0];
            return sample.TryGetValue(name.ToLowerInvariant(), out var value) ? value : "1";
        });
        return string.Join('/', segments);
    }

    private async Task<IReadOnlyDictionary<string, string>> SeedAsync()
    {
        var store = portal.Services.GetRequiredService<IDocumentStore>();
        var wallets = portal.Services.GetRequiredService<WalletService>();
        var acl = portal.Services.GetRequiredService<AccessControlService>();
        var system = Actor.System("matrix-seed");
        var walletId = Guid.CreateVersion7();
        // Idempotent per fixture: the second test of the class finds the seed by its owner.
        await using (var query = store.QuerySession())
        {
            if (await query.Query<WalletSummary>().FirstOrDefaultAsync(w => w.Owner == SecretOwner) is { } existing) walletId = existing.Id;
            else
            {
                Check(await wallets.OpenAsync(system, Guid.CreateVersion7(), walletId, SecretOwner));
                Check(await wallets.GrantAsync(system, Guid.CreateVersion7(), walletId, 5, SecretReason, null));
                Check(await acl.GrantAsync(system, Guid.CreateVersion7(), Resources.PortalAclId, SecretPrincipal, Permission.ReadJobs, SecretReason, null));
            }
        }
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var feed = new AuditFeed(store, new FixedActor(system));
        var seq = (await feed.QueryAsync(new AuditFilter { StreamId = walletId })).Entries[0].Sequence;
        return new Dictionary<string, string>
        {
            ["id"] = walletId.ToString(), ["seq"] = seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private async Task<List<Caller>> CallersAsync()
    {
        // dave's permissions go a moment before the requests.
        var (support, auditor, admin, revoked) = await portal.PersonaClientsAsync();
        return
        [
            new("anonymous", portal.Client(), [], false),
            new("alice (support)", support, Personas.Support, true),
            new("carol (auditor)", auditor, Personas.Auditor, true),
            new("admin", admin, Personas.Admin, true),
            new("dave (admin revoked a moment ago)", revoked, [], true),
        ];
    }

    private static void Check(CommandResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException(result.Message);
    }
}
