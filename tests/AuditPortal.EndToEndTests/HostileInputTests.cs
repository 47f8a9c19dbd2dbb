namespace AuditPortal.EndToEndTests;

/// <summary>
/// Hostile strings stored through the command services and typed into the forms, then shown on every page that
/// displays them: each must appear as literal text, no element or script may come from the data, no JS dialog may
/// open, and bad amounts and ids must get a clear message instead of an error.
/// </summary>
public class HostileInputTests(PortalServer server, ITestOutputHelper output) : IClassFixture<PortalServer>
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 15_000 };
    private static readonly LocatorAssertionsToContainTextOptions SoonContains = new() { Timeout = 15_000 };

    private const string OwnerText = "<img src=x onerror=alert('owner')> Owner";
    private const string GrantReason = "<script>alert('grant')</script> welcome";
    private const string FormulaReason = "=cmd|' /C calc'!A0";
    private const string SpendReason = "\" onmouseover=\"alert('spend')";
    private const string JobOwner = "<b onmouseover=alert('jobowner')>bold</b>";
    private const string JobTitle = "<script>alert('title')</script> Job";
    private const string JobDescription = "<img src=x onerror=alert('desc')>\nsecond line";
    private const string Participant = "<i>pat</i>";
    private const string CoverNote = "<script>alert('note')</script>";
    private const string AclResource = "<script>alert('acl')</script>";
    private const string AclReason = "<img src=x onerror=alert('aclreason')>";
    private const string Principal = "<svg onload=alert('principal')>";
    private const string PrincipalReason = "@SUM(1)+<b>x</b>";

    private int _checks;
    private int _dialogs;
    private readonly List<string> _consoleErrors = [];

    [Fact]
    public async Task Given_hostile_strings_When_every_page_shows_them_Then_they_are_text_bad_amounts_and_ids_get_clear_messages_and_no_script_runs()
    {
        var (walletId, jobId, aclId) = await SeedAsync();

        var page = await OpenAsync($"/wallets/{walletId}");
        await ExpectTextAsync(page, page.Locator("#wallet-owner"), OwnerText);
        var reasons = page.Locator(".wallet-transaction-reason");
        await ExpectAllAsync(page, reasons, GrantReason, FormulaReason, SpendReason);

        // The grant form with a hostile reason: the snackbar and the history show it as text.
        const string formReason = "<script>alert('snack')</script><img src=x onerror=alert('snack')>";
        await page.SubmitWalletFormAsync("grant", "7", formReason);
        await ExpectContainsAsync(page, page.Locator(".mud-snackbar"), "Reason: " + formReason);
        await ExpectContainsAsync(page, page.Locator(".wallet-transaction-reason").First, formReason);

        var tried = 0;
        var refused = 0;
        // Bad amounts typed into the form: a clear message each, and no command recorded.
        var version = await StreamVersionAsync(walletId);
        foreach (var (amount, message) in new[]
                 {
                     ("0", "The amount must be at least 1 credit."),
                     ("-1", "negative amounts are not allowed"),
                     ("2147483648", "The amount is too large."),
                     ("1.5", "\"1.5\" is not a whole number"),
                     ("1,5", "\"1,5\" is not a whole number"),
                     ("1e3", "\"1e3\" is not a whole number"),
                     ("", "Enter the number of credits"),
                 })
        {
            tried++;
            await page.SubmitWalletFormAsync("grant", amount, "amount test");
            await Assertions.Expect(page.Locator("#grant-form")).ToContainTextAsync(message, SoonContains);
            refused++;
        }
        // A reason far above the limit is refused with the limit, not cut and not a broken connection.
        tried++;
        await page.SubmitWalletFormAsync("grant", "1", new string('r', 100_000));
        await Assertions.Expect(page.Locator("#grant-form")).ToContainTextAsync("at most 2,000 are allowed", SoonContains);
        refused++;
        Assert.Equal(version, await StreamVersionAsync(walletId));
        await NoScriptAsync(page);

        page = await OpenAsync("/wallets");
        await page.Locator("#wallet-owner-filter").FillAsync("onerror=alert('owner')");
        await ExpectTextAsync(page, page.Locator(".wallet-link"), OwnerText);

        page = await OpenAsync("/jobs");
        await page.Locator("#job-text-filter").FillAsync("alert('title')");
        await ExpectTextAsync(page, page.Locator(".job-link"), JobTitle);

        page = await OpenAsync($"/jobs/{jobId}");
        await ExpectContainsAsync(page, page.Locator("h1"), JobTitle);
        await ExpectContainsAsync(page, page.Locator("#job-description"), "<img src=x onerror=alert('desc')>");
        await ExpectContainsAsync(page, page.Locator(".job-applicant"), Participant);
        await ExpectContainsAsync(page, page.Locator(".job-applicant"), CoverNote);
        await ExpectContainsAsync(page, page.Locator("#job-owner-wallet"), JobOwner);
        await page.GetByRole(AriaRole.Tab, new() { Name = "As participant" }).ClickAsync();
        await ExpectTextAsync(page, page.Locator("#job-participant-cover-note"), CoverNote);
        await ExpectTextAsync(page, page.Locator("#job-participant-title"), JobTitle);

        page = await OpenAsync($"/audit?streamId={walletId}");
        var rows = page.Locator("tr.audit-row");
        await ExpectContainsAsync(page, page.Locator("#audit-feed"), GrantReason);
        await ExpectContainsAsync(page, page.Locator("#audit-feed"), OwnerText);
        foreach (var button in await page.Locator(".audit-expand").AllAsync()) await button.ClickAsync();
        await Assertions.Expect(page.Locator(".audit-payload")).ToHaveCountAsync(await rows.CountAsync(), new() { Timeout = 15_000 });
        await ExpectContainsAsync(page, page.Locator("#audit-feed"), FormulaReason);
        await NoScriptAsync(page);
        var seq = await rows.Last.GetAttributeAsync("data-seq");

        page = await OpenAsync($"/audit/events/{seq}");
        await ExpectContainsAsync(page, page.Locator(".audit-event-details"), OwnerText);
        await ExpectContainsAsync(page, page.Locator(".audit-state"), OwnerText);

        page = await OpenAsync("/access-control");
        await ExpectContainsAsync(page, page.Locator("#acl-list"), AclResource);
        await ExpectContainsAsync(page, page.Locator("#acl-list"), Principal);

        page = await OpenAsync($"/access-control/{aclId}");
        await ExpectContainsAsync(page, page.Locator("h1"), AclResource);
        await ExpectTextAsync(page, page.Locator(".acl-entry-principal"), Principal);
        await ExpectTextAsync(page, page.Locator(".acl-entry-reason"), PrincipalReason);
        await ExpectContainsAsync(page, page.Locator(".stream-timeline"), AclReason);
        await page.Locator("#acl-grant").ClickAsync();
        await ExpectContainsAsync(page, page.Locator(".mud-dialog"), AclResource);
        // An oversized principal is refused with the limit inside the dialog, which stays open with what was typed.
        tried++;
        await page.Locator("#acl-principal").FillAsync(new string('p', 5_000));
        await page.Locator("#acl-reason").FillAsync("too long a name");
        await page.Locator("#acl-submit").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToContainTextAsync("at most 200 are allowed", SoonContains);
        refused++;
        const string dialogPrincipal = "<script>alert('dialog')</script>";
        await page.Locator("#acl-principal").FillAsync(dialogPrincipal);
        await page.Locator("#acl-reason").FillAsync("<img src=x onerror=alert('dialogreason')>");
        await page.Locator("#acl-submit").ClickAsync();
        await ExpectContainsAsync(page, page.Locator(".mud-snackbar"), $"Granted ReadWallets to {dialogPrincipal}.");
        await ExpectContainsAsync(page, page.Locator("#acl-entries"), dialogPrincipal);

        // Unknown and malformed ids in addresses: a clear message, never an error.
        foreach (var (path, marker, text) in new[]
                 {
                     ("/wallets/not-a-guid", "#wallet-not-found", "is not a wallet id"),
                     ($"/wallets/{Guid.NewGuid()}", "#wallet-not-found", "There is no wallet with id"),
                     ("/wallets/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", "#wallet-not-found", "\"<img src=x onerror=alert(1)>\" is not a wallet id"),
                     ($"/wallets/{Guid.Empty}", "#wallet-not-found", "is not a wallet id"),
                     ("/jobs/x", "#job-not-found", "is not a job id"),
                     ($"/jobs/{Guid.NewGuid()}", "#job-not-found", "There is no job with id"),
                     ("/access-control/..%2F..%2Fetc", "#acl-not-found", "is not an access-control list id"),
                     ($"/access-control/{Guid.NewGuid()}", "#acl-not-found", "There is no access-control list"),
                     ("/audit/events/abc", "#event-not-found", "is not an event number"),
                     ("/audit/events/99999999999999999999", "#event-not-found", "is not an event number"),
                     ("/audit/events/999999999", "#event-not-found", "does not exist"),
                     ("/audit?streamId=nope", "#audit-error", "is not a stream id"),
                     ("/audit?text=a%00b", "#audit-error", "control character"),
                 })
        {
            tried++;
            page = await OpenAsync(path);
            await ExpectContainsAsync(page, page.Locator(marker), text);
            refused++;
        }
        // A path the browser folds to one the portal does not have: a page that says so, not an error.
        tried++;
        var folded = await (await OpenAsync("/")).GotoAsync(server.BaseUrl + "/access-control/../../etc");
        Assert.NotNull(folded);
        output.WriteLine($"/access-control/../../etc reached {folded.Url} and answered {folded.Status} with the not-found page");
        Assert.True(folded.Status is 200 or 404, $"/access-control/../../etc answered {folded.Status}");
        Assert.Contains("nothing at this address", await folded.TextAsync());
        refused++;

        // Exports of the hostile rows: formulas neutralised, markup literal.
        var api = page.Context.APIRequest;
        var csv = await api.GetAsync($"{server.BaseUrl}/audit/export.csv?streamId={walletId}");
        Assert.Equal(200, csv.Status);
        var csvText = await csv.TextAsync();
        // User text reaches a cell start only through a user name; reasons sit inside the summary, after the actor.
        Assert.Contains(FormulaReason, csvText);
        Assert.DoesNotMatch(@"(^|[\r\n,]|,"")[=+\-@]", csvText.Replace("\r\n", "\n"));
        Assert.Contains(GrantReason, csvText);
        var json = await api.GetAsync($"{server.BaseUrl}/audit/export.json?streamId={walletId}");
        Assert.StartsWith("application/json", json.Headers["content-type"]);
        var summaries = JsonDocument.Parse(await json.TextAsync()).RootElement.EnumerateArray().Select(e => e.GetProperty("summary").GetString()).ToList();
        Assert.Contains(summaries, s => s!.Contains(GrantReason, StringComparison.Ordinal));
        var badExport = await api.GetAsync($"{server.BaseUrl}/audit/export.csv?text=%00");
        Assert.Equal(400, badExport.Status);
        Assert.Contains("control character", await badExport.TextAsync());
        _checks += 5;

        output.WriteLine($"{_checks} hostile values checked on the pages and exports, all shown as literal text");
        output.WriteLine($"{tried} bad amounts, oversized reasons and ids tried in the browser, {refused} refused with a clear message (no refused form input was recorded)");
        output.WriteLine($"{_dialogs} JS dialogs opened, 0 script elements or event-handler attributes from data; console errors: {_consoleErrors.Count}");
        foreach (var error in _consoleErrors) output.WriteLine("console: " + error);
        Assert.Equal(0, _dialogs);
        Assert.DoesNotContain(_consoleErrors, e => e.Contains("unhandled", StringComparison.OrdinalIgnoreCase) || e.Contains("circuit", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Given_a_request_path_with_CR_LF_When_it_is_logged_Then_it_stays_on_the_line_of_its_own_request()
    {
        // Browser tests run one after the other (assembly attribute), so the console can be borrowed for this test.
        var original = Console.Out;
        var captured = new StringWriter();
        Console.SetOut(TextWriter.Synchronized(captured));
        try
        {
            using var http = new HttpClient();
            using var response = await http.GetAsync(server.BaseUrl + "/wallets/x%0D%0A[12:00:00%20INF]%20Forged:%20admin%20signed%20in");
            // Request logging writes when the response completes: wait for the line rather than for a fixed time.
            await Poll.UntilAsync(() => captured.ToString().Contains("Forged", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        }
        finally
        {
            Console.SetOut(original);
        }

        var lines = captured.ToString().Split('\n');
        var line = Assert.Single(lines, l => l.Contains("Forged", StringComparison.Ordinal));
        output.WriteLine(line.TrimEnd());
        Assert.Contains("HTTP GET /wallets/x\\r\\n[12:00:00 INF] Forged: admin signed in", line);
        Assert.DoesNotContain(lines, l => l.StartsWith("[12:00:00 INF] Forged", StringComparison.Ordinal));
    }

    private async Task<(Guid Wallet, Guid Job, Guid Acl)> SeedAsync()
    {
        var sp = server.Services;
        var system = Actor.System("hostile-test");
        var wallets = sp.GetRequiredService<WalletService>();
        var jobs = sp.GetRequiredService<JobService>();
        var acl = sp.GetRequiredService<AccessControlService>();
        var walletId = Guid.CreateVersion7();
        var jobId = Guid.CreateVersion7();
        var aclId = Guid.CreateVersion7();
        Ok(await wallets.OpenAsync(system, Guid.CreateVersion7(), walletId, OwnerText));
        Ok(await wallets.GrantAsync(system, Guid.CreateVersion7(), walletId, 100, GrantReason, null));
        Ok(await wallets.GrantAsync(system, Guid.CreateVersion7(), walletId, 5, FormulaReason, null));
        Ok(await wallets.SpendAsync(system, Guid.CreateVersion7(), walletId, 3, SpendReason, null));
        Ok(await jobs.PostAsync(system, Guid.CreateVersion7(), jobId, JobOwner, walletId, JobTitle, JobDescription, 10));
        Ok(await jobs.ApplyAsync(system, Guid.CreateVersion7(), jobId, Participant, CoverNote));
        Ok(await acl.CreateAsync(system, Guid.CreateVersion7(), aclId, AclResource, AclReason));
        Ok(await acl.GrantAsync(system, Guid.CreateVersion7(), aclId, Principal, Permission.ReadJobs, PrincipalReason, null));
        await sp.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        return (walletId, jobId, aclId);
    }

    private async Task<IPage> OpenAsync(string path)
    {
        var page = await server.SignInAsync("admin", path);
        page.Dialog += async (_, dialog) =>
        {
            Interlocked.Increment(ref _dialogs);
            await dialog.DismissAsync();
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error") lock (_consoleErrors) _consoleErrors.Add(message.Text);
        };
        page.PageError += (_, error) =>
        {
            lock (_consoleErrors) _consoleErrors.Add("page error: " + error);
        };
        return page;
    }

    private async Task ExpectTextAsync(IPage page, ILocator locator, string text)
    {
        await Assertions.Expect(locator.First).ToHaveTextAsync(text, Soon);
        _checks++;
        await NoScriptAsync(page);
    }

    private async Task ExpectContainsAsync(IPage page, ILocator locator, string text)
    {
        await Assertions.Expect(locator.First).ToContainTextAsync(text, SoonContains);
        _checks++;
        await NoScriptAsync(page);
    }

    private async Task ExpectAllAsync(IPage page, ILocator locator, params string[] texts)
    {
        foreach (var text in texts)
        {
            await Assertions.Expect(locator.Filter(new() { HasText = text })).ToHaveCountAsync(1, new() { Timeout = 15_000 });
            _checks++;
        }
        await NoScriptAsync(page);
    }

    /// <summary>No element from the data: no script that mentions alert, no img/svg/b/i the data spelled, no inline handler.</summary>
    private static async Task NoScriptAsync(IPage page)
    {
        var found = await page.EvaluateAsync<int>("""
            () => [...document.querySelectorAll('script')].filter(s => s.textContent.includes('alert')).length
                + document.querySelectorAll('[onerror],[onmouseover],[onload],img[src=x]').length
            """);
        Assert.Equal(0, found);
    }

    private async Task<long> StreamVersionAsync(Guid walletId)
    {
        await using var query = server.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return (await query.Events.FetchStreamStateAsync(walletId))!.Version;
    }
}
