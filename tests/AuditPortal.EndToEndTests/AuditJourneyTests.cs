namespace AuditPortal.EndToEndTests;

public class AuditJourneyTests(PortalServer server) : IClassFixture<PortalServer>
{
    private const string Hostile = "<script>alert(1)</script>";

    [Fact]
    public async Task Given_an_auditor_When_filtering_the_explorer_by_one_actor_and_downloading_csv_Then_exactly_those_rows_arrive()
    {
        await SeedAsync();
        var page = await server.SignInAsync("carol", "/audit");
        var dialogs = 0;
        page.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };

        await page.Locator("#filter-actor").FillAsync("sam");
        await page.Locator("#filter-apply").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/audit\?actor=sam$"));
        var rows = page.Locator("tr.audit-row");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        Assert.All(await page.Locator("tr.audit-row .audit-actor").AllInnerTextsAsync(), a => Assert.Equal("sam", a));
        await Assertions.Expect(page.Locator("tr.audit-row .audit-summary").Filter(new() { HasText = Hostile })).ToHaveCountAsync(1);

        await page.Locator("tr.audit-row .audit-expand").First.ClickAsync();
        await Assertions.Expect(page.Locator(".audit-payload")).ToContainTextAsync("\"spentBy\": \"sam\"");
        await PortalServer.ScreenshotAsync(page, "audit-journey");

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#export-csv").ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Matches(@"^audit-\d{8}-\d{6}\.csv$", download.SuggestedFilename);
        Assert.StartsWith("sequence,time,actor,actor_name,stream_type", lines[0]);
        Assert.Equal(3, lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.Equal("sam", l.Split(',')[2]));
        Assert.Contains(lines, l => l.Contains(Hostile, StringComparison.Ordinal));
        Assert.Equal(0, dialogs);

        // The download itself is audited: its start before the first byte, its end before the response ends.
        var feed = new AuditFeed(server.Services.GetRequiredService<Marten.IDocumentStore>(), new FixedActor(Actor.System("test")));
        var started = Assert.Single((await feed.QueryAsync(new AuditFilter { EventType = "audit_export_started" })).Entries, e => e.Summary.EndsWith("as csv (actor=sam)", StringComparison.Ordinal));
        Assert.Equal(("carol", "carol started an export as csv (actor=sam)"), (started.Actor, started.Summary));
        var completed = Assert.Single((await feed.QueryAsync(new AuditFilter { StreamId = started.StreamId, EventType = "audit_export_completed" })).Entries);
        Assert.Equal("carol finished an export of 3 audit rows", completed.Summary);
    }

    [Fact]
    public async Task Given_a_bad_stream_id_typed_into_the_filters_When_applied_Then_the_message_stays_with_the_input_until_it_is_edited()
    {
        var page = await server.SignInAsync("carol", "/audit");
        await Assertions.Expect(page.Locator("tr.audit-row").First).ToBeVisibleAsync();
        var rowsBefore = await page.Locator("tr.audit-row").CountAsync();

        await page.Locator("#filter-actor").FillAsync("sam");
        await page.Locator("#filter-stream-id").FillAsync("not-a-stream");
        await page.Locator("#filter-apply").ClickAsync();

        var message = page.Locator("#audit-filter-error");
        await Assertions.Expect(message).ToContainTextAsync("is not a stream id");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/audit$"));
        await Assertions.Expect(page.Locator("#filter-actor")).ToHaveValueAsync("sam");
        await Assertions.Expect(page.Locator("#filter-stream-id")).ToHaveValueAsync("not-a-stream");
        // The rows shown before stay: only the filter was refused.
        await Assertions.Expect(page.Locator("tr.audit-row")).ToHaveCountAsync(rowsBefore);

        await page.Locator("#filter-stream-id").FillAsync("");
        await Assertions.Expect(message).ToHaveCountAsync(0);
        await page.Locator("#filter-apply").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/audit\?actor=sam$"));
    }

    [Fact]
    public async Task Given_a_filter_When_exporting_json_Then_the_export_follows_it_and_a_malformed_filter_is_refused_with_a_reason()
    {
        var page = await server.OpenAsync("/audit");

        var json = await page.APIRequest.GetAsync(server.BaseUrl + "/audit/export.json?eventType=permission_granted&actor=system:bootstrap");
        var bad = await page.APIRequest.GetAsync(server.BaseUrl + "/audit/export.csv?streamId=%3Cscript%3E");

        Assert.Equal(200, json.Status);
        using var doc = System.Text.Json.JsonDocument.Parse(await json.BodyAsync());
        Assert.Equal(Personas.Admin.Length, doc.RootElement.GetArrayLength());
        Assert.All(doc.RootElement.EnumerateArray(), r => Assert.Equal("permission_granted", r.GetProperty("eventType").GetString()));
        Assert.Equal(400, bad.Status);
        Assert.StartsWith("text/plain", bad.Headers["content-type"]);
        Assert.Equal("\"<script>\" is not a stream id (expected a GUID such as 0190…-…).", await bad.TextAsync());
    }

    private async Task SeedAsync()
    {
        // alice and sam are the Development demo support accounts: their persona grants exist at startup.
        var wallets = server.Services.GetRequiredService<WalletService>();

        var alice = new Actor("alice", Guid.CreateVersion7().ToString());
        var sam = new Actor("sam", Guid.CreateVersion7().ToString());
        var aliceWallet = Guid.CreateVersion7();
        var samWallet = Guid.CreateVersion7();
        Ok(await wallets.OpenAsync(alice, Guid.CreateVersion7(), aliceWallet, "dana"));
        Ok(await wallets.GrantAsync(alice, Guid.CreateVersion7(), aliceWallet, 5, "goodwill", null));
        Ok(await wallets.OpenAsync(sam, Guid.CreateVersion7(), samWallet, "erin"));
        Ok(await wallets.GrantAsync(sam, Guid.CreateVersion7(), samWallet, 3, Hostile, null));
        Ok(await wallets.SpendAsync(sam, Guid.CreateVersion7(), samWallet, 1, "=1+2", null));
    }
}
