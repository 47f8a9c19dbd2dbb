namespace AuditPortal.EndToEndTests.Authorization;

/// <summary>The portal with an export row limit small enough for a test to reach.</summary>
public sealed class SmallExportPortal : PortalWebFactory
{
    protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["Audit:MaxExportRows"] = "2" };
}

public partial class SessionAndExportTests(SmallExportPortal portal) : IClassFixture<SmallExportPortal>
{
    [Fact]
    public async Task Given_two_tabs_with_one_cookie_When_one_signs_out_Then_the_other_is_signed_out_too()
    {
        var tab = portal.Client();
        var signIn = await PortalWebFactory.PostSignInAsync(tab, "alice", "demo");
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("AuditPortal.Auth=", StringComparison.Ordinal)).Split(';')[0];
        var otherTab = portal.RawClient();
        otherTab.DefaultRequestHeaders.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.OK, (await otherTab.GetAsync("/wallets")).StatusCode);

        var home = await tab.GetStringAsync("/");
        var token = WebUtility.HtmlDecode(TokenPattern().Match(home).Groups[1].Value);
        var signOut = await tab.PostAsync("/account/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        var after = await otherTab.GetAsync("/wallets");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/account/signin?", after.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_support_without_ExportAudit_When_exporting_Then_refused_no_export_is_recorded_and_the_refusal_is()
    {
        await portal.AssertExportRefusedAsync("alice", "/audit/export.csv");
        // On alice's access log, like a refused command (the per-minute bound is ReadRefusalTests').
        await using var query = portal.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var refused = (await query.Events.QueryRawEventDataOnly<AuditPortal.Core.AccessControl.ReadRefused>()
            .Where(e => e.UserName == "alice" && e.Resource == "GET /audit/export.csv").ToListAsync()).ToList();
        var one = Assert.Single(refused);
        Assert.Equal(AuditPortal.Core.AccessControl.Permission.ExportAudit, one.MissingPermission);
    }

    [Fact]
    public async Task Given_an_over_long_filter_When_exporting_Then_a_clear_400_and_no_export()
    {
        var auditor = await portal.SignedInAsync("carol");

        var response = await auditor.GetAsync("/audit/export.csv?text=" + new string('a', 201));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The text filter is 201 characters long; at most 200 are allowed.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Given_more_rows_than_the_limit_When_an_auditor_exports_Then_headers_and_last_element_say_so_and_the_start_is_recorded_before_the_body()
    {
        var auditor = await portal.SignedInAsync("carol");
        var before = (await portal.ExportEventsAsync()).Count;

        using var response = await auditor.GetAsync("/audit/export.json", HttpCompletionOption.ResponseHeadersRead);
        // Headers are here, the body not yet read: the start is already on record.
        var started = (await portal.ExportEventsAsync()).Where(e => e.EventType == "audit_export_started").ToList();
        Assert.Contains(started, e => e.Actor == "carol");
        Assert.True((await portal.ExportEventsAsync()).Count > before);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal("2", response.Headers.GetValues("X-Export-Row-Limit").Single());
        Assert.Equal("true", response.Headers.GetValues("X-Export-Truncated").Single());
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(3, doc.RootElement.GetArrayLength());
        Assert.True(doc.RootElement[2].GetProperty("truncated").GetBoolean());
        response.Dispose();
        var completed = (await portal.ExportEventsAsync()).Where(e => e.EventType == "audit_export_completed").ToList();
        Assert.Contains(completed, e => e.Summary == "carol finished an export of 2 audit rows (cut at the row limit)");
    }

    [Fact]
    public async Task Given_a_single_sign_on_user_on_record_When_an_auditor_exports_their_rows_Then_csv_and_json_carry_the_display_name_beside_the_subject()
    {
        // The sign-in record is itself a row by that user.
        await portal.Services.GetRequiredService<AuditPortal.Core.AccessControl.SignInLog>().SignedInAsync("ex-lin@idp.example", "Lin Chen", "oidc", null, "ex-c1");
        var auditor = await portal.SignedInAsync("carol");

        var csv = (await auditor.GetStringAsync("/audit/export.csv?actor=ex-lin@idp.example")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var json = System.Text.Json.JsonDocument.Parse(await auditor.GetStringAsync("/audit/export.json?actor=ex-lin@idp.example"));

        Assert.StartsWith("sequence,time,actor,actor_name,", csv[0], StringComparison.Ordinal);
        Assert.Equal(("ex-lin@idp.example", "Lin Chen"), (csv[1].Split(',')[2], csv[1].Split(',')[3]));
        var row = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("Lin Chen", row.GetProperty("actorName").GetString());
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}

/// <summary>The portal with a sign-in rate limit small enough for a test to reach.</summary>
public sealed class RateLimitedPortal : PortalWebFactory
{
    protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["Auth:SignInPermitsPerMinute"] = "3" };
}

public class SignInRateLimitTests(RateLimitedPortal portal) : IClassFixture<RateLimitedPortal>
{
    [Fact]
    public async Task Given_a_client_posting_sign_ins_When_it_exceeds_the_limit_Then_it_gets_429_before_any_password_check_and_the_form_still_loads()
    {
        var client = portal.Client();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await PortalWebFactory.PostSignInAsync(client, "sam", $"guess-{i}")).StatusCode);

        var limited = await PortalWebFactory.PostSignInAsync(client, "sam", "demo");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/signin")).StatusCode);
    }
}
