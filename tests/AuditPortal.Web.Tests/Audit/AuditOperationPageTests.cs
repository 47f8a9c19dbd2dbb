namespace AuditPortal.Web.Tests.Audit;

public class AuditOperationPageTests : AuditReadsTestContext
{
    private static readonly Guid JobId = Guid.Parse("0190dddd-0000-7000-8000-000000000003");
    private static readonly Guid AccessLogId = Guid.Parse("0190eeee-0000-7000-8000-000000000004");

    /// <summary>
    /// Operation "op-1": a job launch (job + wallet), then a grant refused and retried under the same command id, and an
    /// event caused by the granted one.
    /// </summary>
    public AuditOperationPageTests()
    {
        var t = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        void Add(long seq, string streamType, Guid stream, string type, string cause, string summary) =>
            Reader.Entries.Add(new AuditEntry(seq, streamType, stream, seq, type, "alice", t.AddSeconds(seq), "op-1", cause, summary));
        Add(10, "job", JobId, AuditTypeNames.JobLaunched, "cmd-1", "alice launched job 0190dddd…");
        Add(11, "wallet", FakeAuditReads.WalletId, AuditTypeNames.CreditsSpent, "cmd-1", "alice spent 4 credits");
        Add(12, "access_log", AccessLogId, AuditTypeNames.CommandDenied, "cmd-2", "alice was refused GrantCredits");
        Add(13, "wallet", FakeAuditReads.WalletId, AuditTypeNames.CreditsGranted, "cmd-2", "alice granted 5 credits");
        Add(14, "wallet", FakeAuditReads.WalletId, AuditTypeNames.CreditsSpent, FakeAuditReads.EventIdOf(13).ToString(), "caused by #13");
        Reader.KnownCommands["cmd-1"] = new("LaunchJob", "alice", Accepted: true, Refused: false);
        Reader.KnownCommands["cmd-2"] = new("GrantCredits", "alice", Accepted: true, Refused: true);
        Reader.DisplayNames["alice"] = "Alice Example";
    }

    [Fact]
    public void Given_an_operation_permalink_When_opened_Then_its_commands_events_across_streams_and_causation_tree_show()
    {
        var cut = Render<AuditOperationPage>(p => p.Add(x => x.CorrelationId, "op-1"));

        cut.WaitForAssertion(() => Assert.Equal(["cmd-1", "cmd-2"], cut.FindAll("li.operation-command").Select(c => c.GetAttribute("data-command"))));
        Assert.Contains("LaunchJob", cut.Find("#operation-started-by").TextContent);
        Assert.Contains("Alice Example (alice)", cut.Find("#operation-started-by").TextContent);
        Assert.Contains("5 events in 3 streams", cut.Find("h1").Parent!.TextContent);
        var launch = cut.FindAll("li.operation-command")[0];
        Assert.Equal(["10", "11"], launch.QuerySelectorAll(":scope > ol > li.operation-event").Select(e => e.GetAttribute("data-seq")));
        var retried = cut.FindAll("li.operation-command")[1];
        Assert.Equal(nameof(CommandOutcome.RefusedThenAccepted), retried.GetAttribute("data-outcome"));
        Assert.Contains("refused, then accepted", retried.TextContent);
        // #14 was caused by #13 (its causation id is #13's event id): it hangs below it.
        var granted = retried.QuerySelector("li.operation-event[data-seq='13']")!;
        Assert.Equal("14", granted.QuerySelector(":scope li.operation-event")!.GetAttribute("data-seq"));
        Assert.Equal("/audit/events/14", granted.QuerySelector(":scope li.operation-event a")!.GetAttribute("href"));
        Assert.Equal("/audit?command=cmd-2", retried.QuerySelector("a.operation-command-link")!.GetAttribute("href"));
        Assert.Equal("/audit?correlation=op-1", cut.Find("a#operation-explorer-link").GetAttribute("href"));
    }

    [Fact]
    public void Given_an_unknown_correlation_When_opened_Then_a_clear_message_shows()
    {
        var cut = Render<AuditOperationPage>(p => p.Add(x => x.CorrelationId, "op-none"));

        cut.WaitForAssertion(() => Assert.Contains("No event carries the correlation id \"op-none\"", cut.Find("#operation-not-found").TextContent));
    }

    [Fact]
    public void Given_the_explorer_When_a_row_belongs_to_an_operation_Then_it_links_to_the_whole_operation_and_a_command_filter_is_in_the_address()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/audit?command=cmd-2");
        var cut = Render<AuditExplorer>();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("tr.audit-row")));
        Assert.Equal("cmd-2", Reader.Queries.Single().Filter.Command);
        Assert.Equal("cmd-2", cut.Find("#filter-command").GetAttribute("value"));
        Assert.Equal("/audit/export.csv?command=cmd-2", cut.Find("a#export-csv").GetAttribute("href"));
        Assert.Equal("/audit/operations/op-1", cut.Find("tr.audit-row[data-seq='14'] a.audit-operation-link").GetAttribute("href"));
    }
}

public class AuditOperationPageDeniedTests : AuditReadsTestContext
{
    [Fact]
    public void Given_a_reader_refused_by_the_feed_When_the_operation_opens_Then_the_refusal_shows_instead_of_events()
    {
        Reader.DenyOperations = true;

        var cut = Render<AuditOperationPage>(p => p.Add(x => x.CorrelationId, "corr-1"));

        cut.WaitForAssertion(() => Assert.StartsWith("You no longer have access", cut.Find("#access-denied").TextContent));
        Assert.Empty(cut.FindAll("li.operation-event"));
    }
}
