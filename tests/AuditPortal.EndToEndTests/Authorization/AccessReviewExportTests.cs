namespace AuditPortal.EndToEndTests.Authorization;

/// <summary>The access review's CSV download over HTTP: who may, what it holds, how its cells are escaped, and its record.</summary>
public class AccessReviewExportTests(PortalWebFactory portal) : IClassFixture<PortalWebFactory>
{
    [Fact]
    public async Task Given_a_time_bound_grant_with_a_formula_for_a_reason_When_an_auditor_exports_the_review_Then_the_csv_holds_it_escaped_and_the_export_is_recorded()
    {
        var until = DateTimeOffset.UtcNow.AddDays(30);
        var granted = await portal.Services.GetRequiredService<AccessControlService>().GrantAsync(Actor.System("test"), Guid.CreateVersion7(), Resources.PortalAclId,
            "rx-eve", Permission.ReadWallets, "=HYPERLINK(\"http://evil.example\")", null, until);
        Assert.True(granted.Succeeded, granted.Message);
        var auditor = await portal.SignedInAsync("carol");

        var response = await auditor.GetAsync("/access-control/review.csv?person=rx-eve&timeBound=true");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("principal,display_name,permission,granted_by,granted_at,until,last_sign_in,last_sign_in_method,reason", lines[0]);
        var row = Assert.Single(lines.Skip(1));
        Assert.StartsWith($"rx-eve,,ReadWallets,system:test,", row);
        Assert.Contains(until.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), row);
        // The reason starts with "=": a spreadsheet must read it as text.
        Assert.EndsWith(",\"'=HYPERLINK(\"\"http://evil.example\"\")\"", row);

        var events = await portal.ExportEventsAsync();
        Assert.Contains(events, e => e.EventType == "audit_export_started" && e.Actor == "carol" && e.Summary.Contains("access review of the portal's list: person contains 'rx-eve'; time-bound only"));
        Assert.Contains(events, e => e.EventType == "audit_export_completed" && e.Summary == "carol finished an export of 1 audit row");
    }

    [Fact]
    public async Task Given_the_review_of_a_signed_in_admin_When_exported_Then_their_last_sign_in_is_in_it()
    {
        var admin = await portal.SignedInAsync("admin");

        var csv = await admin.GetStringAsync("/access-control/review.csv?person=admin&permission=EditAccessControl");

        var row = Assert.Single(csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1), r => r.StartsWith("admin,", StringComparison.Ordinal));
        Assert.Matches(@",\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,password,", row);
    }

    [Fact]
    public async Task Given_support_When_exporting_the_review_Then_refused_and_nothing_is_recorded()
    {
        await portal.AssertExportRefusedAsync("alice", "/access-control/review.csv");
    }

    [Fact]
    public async Task Given_a_bad_filter_When_exporting_the_review_Then_a_clear_400_and_no_export()
    {
        var auditor = await portal.SignedInAsync("carol");
        var before = (await portal.ExportEventsAsync()).Count;

        var response = await auditor.GetAsync("/access-control/review.csv?permission=Everything");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("\"Everything\" is not a permission", await response.Content.ReadAsStringAsync());
        Assert.Equal(before, (await portal.ExportEventsAsync()).Count);
    }
}
