namespace AuditPortal.EndToEndTests;

/// <summary>
/// A list's filters survive a reload (they are in the address); an auditor reads times in their own zone with UTC on
/// hover, and saves a search that they reopen later.
/// </summary>
public class ListAddressJourneyTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Given_a_filtered_job_list_When_the_page_is_reloaded_Then_the_filter_is_still_in_the_field_and_the_address()
    {
        var page = await server.SignInAsync("admin", "/jobs");

        await page.Locator("#job-text-filter").FillAsync("logo");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/jobs\?text=logo$"));
        await page.ReloadAsync();
        await page.Locator("[data-interactive=true]").WaitForAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/jobs\?text=logo$"));
        await Assertions.Expect(page.Locator("#job-text-filter")).ToHaveValueAsync("logo");

        // A value the list cannot use is named, never guessed.
        await page.GotoAsync(server.BaseUrl + "/jobs?status=Finished");
        await Assertions.Expect(page.Locator("#job-address-error")).ToContainTextAsync("\"Finished\" in the address is not one of");
    }

    [Fact]
    public async Task Given_an_auditor_who_chose_Paris_When_saving_a_search_and_reopening_it_Then_times_show_in_Paris_with_UTC_on_hover()
    {
        var page = await server.SignInAsync("carol", "/preferences");
        await page.Locator("#preferences-zone .mud-select .mud-input-control").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Europe/Paris" }).ClickAsync();
        await page.Locator("#preferences-time-zone-save").ClickAsync();
        await Assertions.Expect(page.Locator("#preferences-time-zone-message")).ToContainTextAsync("Europe/Paris");

        await page.GotoAsync(server.BaseUrl + "/audit?eventType=permission_granted");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.Locator("#audit-feed thead")).ToContainTextAsync("Time (Europe/Paris)");
        var time = page.Locator("tr.audit-row .audit-time .local-time").First;
        await Assertions.Expect(time).ToHaveAttributeAsync("title", new Regex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$"));
        var utc = DateTimeOffset.Parse((await time.GetAttributeAsync("data-utc"))!, System.Globalization.CultureInfo.InvariantCulture);
        var paris = TimeZoneInfo.ConvertTime(utc, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"));
        await Assertions.Expect(time).ToHaveTextAsync(paris.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));

        // The export ignores the reader's zone: UTC in ISO 8601 with its offset (+00:00), as every receiver expects.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#export-csv").ClickAsync());
        var rows = (await File.ReadAllLinesAsync(await download.PathAsync())).Skip(1).Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$", r.Split(',')[1]));

        await page.Locator("#saved-search-save").ClickAsync();
        await page.Locator("#saved-search-name").FillAsync("Grants");
        await page.Locator("#saved-search-confirm").ClickAsync();
        await Assertions.Expect(page.Locator("#saved-search-message")).ToHaveTextAsync("Search \"Grants\" saved.");

        await page.GotoAsync(server.BaseUrl + "/preferences");
        await page.Locator("a.saved-search-open", new() { HasText = "Grants" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/audit\?eventType=permission_granted$"));
        await Assertions.Expect(page.Locator("#audit-feed")).ToHaveAttributeAsync("data-query", "?eventType=permission_granted");
        var types = await page.Locator("tr.audit-row .audit-event-type").AllInnerTextsAsync();
        Assert.NotEmpty(types);
        Assert.All(types, t => Assert.Equal("permission_granted", t));
    }
}
