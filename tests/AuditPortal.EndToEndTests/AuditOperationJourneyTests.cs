namespace AuditPortal.EndToEndTests;

/// <summary>From an explorer row to "the whole operation": a job launch's two events in two streams under one command.</summary>
public class AuditOperationJourneyTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Given_a_job_launch_When_an_auditor_opens_its_operation_from_the_explorer_Then_the_launch_and_the_spend_show_under_the_command_that_started_it()
    {
        var correlation = await LaunchAsync();
        var page = await server.SignInAsync("carol", $"/audit?correlation={correlation}");
        await Assertions.Expect(page.Locator("tr.audit-row")).ToHaveCountAsync(2);

        await page.Locator("tr.audit-row a.audit-operation-link").First.ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/audit/operations/{correlation}$"));
        var command = page.Locator("li.operation-command");
        await Assertions.Expect(command).ToHaveCountAsync(1);
        await Assertions.Expect(command).ToHaveAttributeAsync("data-outcome", nameof(CommandOutcome.Accepted));
        await Assertions.Expect(page.Locator("#operation-started-by")).ToContainTextAsync("LaunchJob");
        Assert.Equal(["job_launched", "credits_spent"], await page.Locator("li.operation-event").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.type)"));
    }

    [Fact]
    public async Task Given_support_in_an_open_circuit_When_they_navigate_to_the_explorer_Then_the_refused_page_is_on_their_access_log()
    {
        var page = await server.SignInAsync("sam", "/");

        // Inside the circuit (no HTTP request): the router refuses the page.
        await page.EvaluateAsync("Blazor.navigateTo('/audit')");
        await Assertions.Expect(page.Locator("#no-access")).ToContainTextAsync("You do not have access");

        // The message shows once the refusal is recorded.
        await using var query = server.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
        var refused = await query.Events.QueryRawEventDataOnly<AuditPortal.Core.AccessControl.ReadRefused>()
            .Where(e => e.UserName == "sam" && e.Resource == "GET /audit").ToListAsync();
        Assert.Equal(AuditPortal.Core.AccessControl.Permission.ReadAudit, Assert.Single(refused).MissingPermission);
    }

    /// <summary>
    /// alice (a Development demo support account) sets up and launches a job of olivia's, as one browser tab would (an
    /// actor without a correlation of its own); returns the launch's operation id, its command id.
    /// </summary>
    private async Task<string> LaunchAsync()
    {
        var wallets = server.Services.GetRequiredService<WalletService>();
        var jobs = server.Services.GetRequiredService<JobService>();
        var alice = new Actor("alice");
        var walletId = Guid.CreateVersion7();
        var jobId = Guid.CreateVersion7();
        Ok(await wallets.OpenAsync(alice, Guid.CreateVersion7(), walletId, "olivia"));
        Ok(await wallets.GrantAsync(alice, Guid.CreateVersion7(), walletId, 8, "budget", null));
        Ok(await jobs.PostAsync(alice, Guid.CreateVersion7(), jobId, "olivia", walletId, "Logo", "A logo", 5));
        Ok(await jobs.ApplyAsync(alice, Guid.CreateVersion7(), jobId, "paul", "I design logos"));
        Ok(await jobs.AcceptAsync(alice, Guid.CreateVersion7(), jobId, "paul"));
        var launch = Guid.CreateVersion7();
        Ok(await jobs.LaunchAsync(alice, launch, jobId));
        return launch.ToString();
    }
}
