using System.Net.Http.Headers;
using AuditPortal.Core.ServiceTokens;

namespace AuditPortal.EndToEndTests.Authorization;

/// <summary>
/// <c>GET /api/audit/feed</c> over HTTP: with no token, a good one, an expired, a revoked, an altered one and one without
/// ExportAudit; bad input; the token on other endpoints; and the cookie of each persona.
/// </summary>
public class SiemFeedEndpointTests(PortalWebFactory portal) : IClassFixture<PortalWebFactory>
{
    private static readonly Actor Admin = Actor.System("feed-endpoint-test");

    private async Task<string> IssueAsync(string name, Permission[] permissions, TimeProvider? clock = null)
    {
        var tokens = clock is null ? portal.Services.GetRequiredService<ServiceTokenService>()
            : new ServiceTokenService(portal.Services.GetRequiredService<CommandExecutor>(), portal.Services.GetRequiredService<IDocumentStore>(), clock);
        var (result, token) = await tokens.IssueAsync(Admin, Guid.CreateVersion7(), Guid.CreateVersion7(), name, permissions,
            (clock ?? TimeProvider.System).GetUtcNow().AddDays(1), "endpoint test");
        Assert.True(result.Succeeded, result.Message);
        return token!;
    }

    private async Task<HttpResponseMessage> GetAsync(string? token, string query = "")
    {
        var client = portal.RawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, SiemFeedEndpoint.Path + query);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Given_each_kind_of_token_When_the_feed_is_requested_Then_only_a_valid_token_holding_ExportAudit_reads_it()
    {
        var good = await IssueAsync("siem-good", [Permission.ExportAudit]);
        var readOnly = await IssueAsync("siem-read", [Permission.ReadAudit]);
        var revoked = await IssueAsync("siem-revoked", [Permission.ExportAudit]);
        Assert.True(ServiceToken.TryParse(revoked, out var revokedId));
        Assert.True((await portal.Services.GetRequiredService<ServiceTokenService>().RevokeAsync(Admin, Guid.CreateVersion7(), revokedId, "rotated")).Succeeded);
        // Issued "two days ago" for a day, by the same code on a clock that says so.
        var past = new SingleSignOn.ShiftedClock();
        past.Advance(TimeSpan.FromDays(-2));
        var expired = await IssueAsync("siem-expired", [Permission.ExportAudit], past);

        using var none = await GetAsync(null);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("Bearer", none.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        foreach (var bad in new[] { expired, revoked, good[..^1] + (good[^1] == 'A' ? 'B' : 'A'), "not-a-token" })
        {
            using var refused = await GetAsync(bad);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("invalid_token", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
        using var withoutExport = await GetAsync(readOnly);
        Assert.Equal(HttpStatusCode.Forbidden, withoutExport.StatusCode);

        using var ok = await GetAsync(good, "?after=0&limit=5");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("application/x-ndjson", ok.Content.Headers.ContentType?.MediaType);
        Assert.True(ok.Headers.CacheControl?.NoStore);
        var highWater = long.Parse(ok.Headers.GetValues(SiemFeedEndpoint.HighWaterHeader).Single(), System.Globalization.CultureInfo.InvariantCulture);
        var lines = (await ok.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.InRange(lines.Length, 1, 6);
        using var closing = JsonDocument.Parse(lines[^1]);
        Assert.Equal(highWater, closing.RootElement.GetProperty("highWater").GetInt64());
        var sequences = lines[..^1].Select(l => { using var d = JsonDocument.Parse(l); return d.RootElement.GetProperty("sequence").GetInt64(); }).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count > 0 ? sequences[^1] : 0, closing.RootElement.GetProperty("next").GetInt64());
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=10001")]
    [InlineData("?limit=ten")]
    [InlineData("?after=-1")]
    [InlineData("?after=1.5")]
    [InlineData("?after=99999999999999999999")]
    public async Task Given_a_good_token_When_after_or_limit_is_not_valid_Then_400_says_what_is_expected(string query)
    {
        var good = await IssueAsync("siem-input", [Permission.ExportAudit]);

        using var response = await GetAsync(good, query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Matches("\"(after|limit)\" must be", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Given_a_good_token_When_it_is_sent_to_any_other_endpoint_Then_it_opens_nothing()
    {
        var good = await IssueAsync("siem-elsewhere", [Permission.ExportAudit, Permission.ReadAudit]);

        foreach (var path in new[] { "/audit/export.csv", "/audit", "/access-control/service-tokens", "/health/detail" })
        {
            var client = portal.RawClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", good);
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found, $"{path}: {(int)response.StatusCode}");
            Assert.Contains("/account/signin", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Given_the_cookie_of_each_persona_When_the_feed_is_requested_Then_those_holding_ExportAudit_read_it_and_the_others_get_403()
    {
        var (support, auditor, admin, revoked) = await portal.PersonaClientsAsync();

        foreach (var (client, expected) in new[] { (support, HttpStatusCode.Forbidden), (auditor, HttpStatusCode.OK), (admin, HttpStatusCode.OK), (revoked, HttpStatusCode.Forbidden) })
        {
            using var response = await client.GetAsync(SiemFeedEndpoint.Path + "?limit=2");
            Assert.Equal(expected, response.StatusCode);
        }
        using var anonymous = await portal.Client().GetAsync(SiemFeedEndpoint.Path);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
