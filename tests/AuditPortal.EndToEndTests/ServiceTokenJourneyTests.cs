using System.Net.Http.Headers;
using AuditPortal.Core.ServiceTokens;

namespace AuditPortal.EndToEndTests;

public class ServiceTokenJourneyTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Given_an_admin_When_issuing_a_token_using_it_and_revoking_it_Then_it_is_shown_once_reads_the_feed_and_then_gets_401()
    {
        var page = await server.OpenAsync("/access-control/service-tokens");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await page.Locator("#token-name").FillAsync("siem-journey");
        await page.Locator("#token-reason").FillAsync("SOC ingestion");
        await page.Locator("#token-issue").ClickAsync();

        var secret = page.Locator("#token-secret");
        await Assertions.Expect(secret).ToContainTextAsync("apt_");
        var token = (await secret.TextContentAsync())!.Trim();
        Assert.True(ServiceToken.TryParse(token, out var tokenId));
        var row = page.Locator($"tr.token-row[data-token='{tokenId}']");
        await Assertions.Expect(row).ToContainTextAsync("service:siem-journey");
        await Assertions.Expect(row.Locator(".token-state")).ToHaveTextAsync("active");

        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        async Task<HttpStatusCode> FeedAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/audit/feed?limit=5");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await FeedAsync());

        // Shown once: a reload lists the token but never its secret.
        await page.ReloadAsync();
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#token-secret")).ToHaveCountAsync(0);
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);

        await page.Locator("#token-revoke-reason").FillAsync("rotated");
        await page.Locator($"#token-revoke-{tokenId}").ClickAsync();
        await Assertions.Expect(row.Locator(".token-state")).ToContainTextAsync("revoked");
        await PortalServer.ScreenshotAsync(page, "service-tokens");
        Assert.Equal(HttpStatusCode.Unauthorized, await FeedAsync());
    }
}
