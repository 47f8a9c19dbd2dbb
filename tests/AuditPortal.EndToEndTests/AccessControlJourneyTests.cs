namespace AuditPortal.EndToEndTests;

public class AccessControlJourneyTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Given_an_admin_When_granting_a_permission_through_the_dialog_Then_it_shows_in_the_list_and_its_timeline()
    {
        var page = await server.OpenAsync("/access-control");
        await page.Locator($"tr.acl-row[data-id='{Resources.PortalAclId}'] a.acl-link").ClickAsync();
        await page.WaitForURLAsync($"**/access-control/{Resources.PortalAclId}");
        await page.Locator("[data-interactive=true]").WaitForAsync();

        await GrantThroughDialogAsync(page, "sam", "ReadAudit", "joins the audit team <b>now</b>");

        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Granted ReadAudit to sam.");
        await Assertions.Expect(page.Locator("tr.acl-entry[data-principal=sam][data-permission=ReadAudit] .acl-entry-reason"))
            .ToHaveTextAsync("joins the audit team <b>now</b>");
        var newest = page.Locator(".timeline-event").First;
        await Assertions.Expect(newest.Locator(".timeline-summary")).ToHaveTextAsync("admin granted ReadAudit to sam \u2014 joins the audit team <b>now</b>");

        await newest.Locator(".timeline-toggle-state").ClickAsync();
        await Assertions.Expect(newest.Locator(".audit-diff")).ToContainTextAsync("entries");
        await Assertions.Expect(newest.Locator(".audit-diff .audit-after")).ToContainTextAsync("sam");
        await PortalServer.ScreenshotAsync(page, "acl-journey");
    }

    [Fact]
    public async Task Given_a_grant_the_list_refuses_When_submitted_Then_the_dialog_stays_open_with_the_reason_and_the_input_until_edited()
    {
        var page = await server.OpenAsync($"/access-control/{Resources.PortalAclId}");
        // The bootstrap admin already holds EditAccessControl: the list refuses a second grant.
        await GrantThroughDialogAsync(page, "admin", "EditAccessControl", "twice");

        var problem = page.Locator("#acl-problem");
        await Assertions.Expect(problem).ToContainTextAsync("already has EditAccessControl");
        await Assertions.Expect(page.Locator("#acl-principal")).ToHaveValueAsync("admin");
        await Assertions.Expect(page.Locator("#acl-reason")).ToHaveValueAsync("twice");
        await PortalServer.ScreenshotAsync(page, "acl-refused");

        await page.Locator("#acl-principal").FillAsync("sam");
        await Assertions.Expect(problem).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(1);
    }

    /// <summary>Opens the grant dialog, fills principal, permission and reason as a user does, and submits it.</summary>
    private static async Task GrantThroughDialogAsync(IPage page, string principal, string permission, string reason)
    {
        await page.Locator("#acl-grant").ClickAsync();
        await page.Locator("#acl-principal").FillAsync(principal);
        await page.Locator(".mud-dialog .mud-select").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = permission }).ClickAsync();
        await page.Locator("#acl-reason").FillAsync(reason);
        await page.Locator("#acl-submit").ClickAsync();
    }
}
