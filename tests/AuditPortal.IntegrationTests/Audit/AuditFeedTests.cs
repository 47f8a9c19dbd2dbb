namespace AuditPortal.IntegrationTests.Audit;

/// <summary>A few events by two support users on wallets, a job and the portal's list, recorded once per class.</summary>
public class SeededAuditFixture : PortalHostFixture, IAsyncLifetime
{
    public const string Hostile = "<script>alert(1)</script>";

    public Guid AliceWallet { get; } = Guid.CreateVersion7();
    public Guid SamWallet { get; } = Guid.CreateVersion7();
    public Guid JobId { get; } = Guid.CreateVersion7();
    public DateTimeOffset SeededFrom { get; private set; }

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        SeededFrom = DateTimeOffset.UtcNow;
        await GrantPersonaAsync("alice", Personas.Support);
        await GrantPersonaAsync("sam", Personas.Support);
        var wallets = Get<WalletService>();
        var alice = Actor("alice");
        var sam = Actor("sam");
        Check(await wallets.OpenAsync(alice, Guid.CreateVersion7(), AliceWallet, "dana"));
        Check(await wallets.GrantAsync(alice, Guid.CreateVersion7(), AliceWallet, 5, "goodwill", null));
        Check(await wallets.OpenAsync(sam, Guid.CreateVersion7(), SamWallet, "erin"));
        Check(await wallets.GrantAsync(sam, Guid.CreateVersion7(), SamWallet, 3, Hostile, null));
        Check(await wallets.SpendAsync(sam, Guid.CreateVersion7(), SamWallet, 1, "=HYPERLINK(\"http://evil\",\"x\")", null));
        Check(await Get<JobService>().PostAsync(alice, Guid.CreateVersion7(), JobId, "dana", AliceWallet, "Logo, \"v2\"", "a new logo", 2));
    }

    private static void Check(AuditPortal.Core.Common.CommandResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException(result.Message);
    }
}

public class AuditFeedTests(SeededAuditFixture fixture) : IClassFixture<SeededAuditFixture>
{
    private AuditFeed Feed => new(fixture.Store, new AuditPortal.Core.Common.FixedActor(AuditPortal.Core.Common.Actor.System("test")));

    [Fact]
    public async Task Given_two_actors_When_filtering_by_one_Then_only_their_events_come_newest_first()
    {
        var page = await Feed.QueryAsync(new AuditFilter { Actor = "sam" });

        Assert.Equal(3, page.Entries.Count);
        Assert.All(page.Entries, e => Assert.Equal("sam", e.Actor));
        Assert.Equal(page.Entries.OrderByDescending(e => e.Sequence).Select(e => e.Sequence), page.Entries.Select(e => e.Sequence));
        Assert.Equal(["credits_spent", "credits_granted", "wallet_opened"], page.Entries.Select(e => e.EventType));
        Assert.Null(page.NextBefore);
    }

    [Fact]
    public async Task Given_streams_of_each_type_When_filtering_by_stream_type_Then_marten_stream_types_match()
    {
        var wallets = await Feed.QueryAsync(new AuditFilter { StreamType = AuditTypeNames.Wallet });
        var jobs = await Feed.QueryAsync(new AuditFilter { StreamType = AuditTypeNames.Job });
        var acls = await Feed.QueryAsync(new AuditFilter { StreamType = AuditTypeNames.AccessControlList }, limit: 500);

        Assert.Equal(5, wallets.Entries.Count);
        Assert.All(wallets.Entries, e => Assert.Equal(AuditTypeNames.Wallet, e.StreamType));
        Assert.Equal(fixture.JobId, Assert.Single(jobs.Entries).StreamId);
        Assert.All(acls.Entries, e => Assert.Equal(Resources.PortalAclId, e.StreamId));
        Assert.Contains(acls.Entries, e => e.EventType == "access_control_list_created");
    }

    [Fact]
    public async Task Given_events_When_filtering_by_event_type_stream_time_and_text_Then_each_narrows_the_feed()
    {
        var granted = await Feed.QueryAsync(new AuditFilter { EventType = "credits_granted" });
        var samWallet = await Feed.QueryAsync(new AuditFilter { StreamId = fixture.SamWallet });
        var future = await Feed.QueryAsync(new AuditFilter { From = DateTimeOffset.UtcNow.AddMinutes(5) });
        var past = await Feed.QueryAsync(new AuditFilter { To = fixture.SeededFrom.AddHours(-1) });
        var text = await Feed.QueryAsync(new AuditFilter { Text = "GOODWILL" });
        var wildcard = await Feed.QueryAsync(new AuditFilter { Text = "%" });
        var combined = await Feed.QueryAsync(new AuditFilter { Actor = "alice", StreamType = "wallet", EventType = "wallet_opened" });

        Assert.Equal(2, granted.Entries.Count);
        Assert.Equal([3L, 2L, 1L], samWallet.Entries.Select(e => e.Version));
        Assert.Empty(future.Entries);
        Assert.Empty(past.Entries);
        Assert.Equal(fixture.AliceWallet, Assert.Single(text.Entries).StreamId);
        Assert.Empty(wildcard.Entries);
        Assert.Equal(fixture.AliceWallet, Assert.Single(combined.Entries).StreamId);
    }

    [Fact]
    public async Task Given_more_rows_than_a_page_When_following_the_keyset_cursor_Then_every_row_comes_once_in_order()
    {
        var all = await Feed.QueryAsync(AuditFilter.None, limit: 500);
        var seen = new List<long>();
        long? before = null;
        do
        {
            var page = await Feed.QueryAsync(AuditFilter.None, before, limit: 4);
            Assert.True(page.Entries.Count <= 4);
            seen.AddRange(page.Entries.Select(e => e.Sequence));
            before = page.NextBefore;
        } while (before is not null);

        Assert.True(all.Entries.Count > 8);
        Assert.Equal(all.Entries.Select(e => e.Sequence), seen);
    }

    [Fact]
    public async Task Given_each_event_type_When_the_feed_lists_it_Then_it_has_a_plain_words_summary()
    {
        var all = (await Feed.QueryAsync(AuditFilter.None, limit: 500)).Entries;
        var shortWallet = fixture.AliceWallet.ToString()[..8] + "\u2026";

        Assert.Contains($"alice granted 5 credits to wallet {shortWallet} \u2014 goodwill", all.Select(e => e.Summary));
        Assert.Contains($"alice opened wallet {shortWallet} for dana", all.Select(e => e.Summary));
        Assert.Contains($"sam granted 3 credits to wallet {fixture.SamWallet.ToString()[..8]}\u2026 \u2014 {SeededAuditFixture.Hostile}", all.Select(e => e.Summary));
        Assert.Contains("alice posted job \u201cLogo, \"v2\"\u201d for dana with a budget of 2 credits", all.Select(e => e.Summary));
        Assert.Contains(all, e => e.Summary == "root-admin granted GrantCredits to alice \u2014 test setup");
        Assert.Contains(all, e => e.Summary.StartsWith("system:bootstrap created the access-control list of portal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_one_event_When_read_in_full_Then_it_has_a_pretty_payload_and_metadata()
    {
        var row = Assert.Single((await Feed.QueryAsync(new AuditFilter { StreamId = fixture.SamWallet, EventType = "credits_granted" })).Entries);

        var detail = await Feed.GetAsync(row.Sequence);

        Assert.NotNull(detail);
        Assert.Equal(row, detail.Entry);
        Assert.Contains($"\"reason\": \"{SeededAuditFixture.Hostile}\"", detail.PayloadJson);
        Assert.Contains("\n", detail.PayloadJson);
        Assert.NotNull(detail.Entry.CorrelationId);
        Assert.NotNull(detail.Entry.CausationId);
        Assert.Contains("CreditsGranted", detail.DotNetType);
        Assert.Null(await Feed.GetAsync(long.MaxValue));
    }

    [Fact]
    public async Task Given_a_filter_When_exported_as_csv_Then_only_matching_rows_are_written_neutralised_and_quoted()
    {
        using var output = new MemoryStream();
        var count = await AuditExport.WriteCsvAsync(Feed.ReadAllAsync(new AuditFilter { Actor = "sam" }), output);
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(3, count);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("sequence,time,actor,", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.Equal("sam", l.Split(',')[2]));
        Assert.Contains(lines, l => l.Contains($"\u2014 {SeededAuditFixture.Hostile}", StringComparison.Ordinal));
        // The spend's reason is inside the summary, so the cell starts with the actor and is only quoted.
        Assert.Contains(lines, l => l.Contains("\u2014 =HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_a_filter_When_exported_as_json_Then_the_export_is_an_array_of_the_filtered_rows()
    {
        using var output = new MemoryStream();
        var count = await AuditExport.WriteJsonAsync(Feed.ReadAllAsync(new AuditFilter { Actor = "alice" }), output);
        using var doc = System.Text.Json.JsonDocument.Parse(output.ToArray());

        Assert.Equal(count, doc.RootElement.GetArrayLength());
        Assert.Equal(3, count);
        Assert.All(doc.RootElement.EnumerateArray(), r => Assert.Equal("alice", r.GetProperty("actor").GetString()));
    }

    [Fact]
    public async Task Given_an_auditor_and_a_support_user_When_asking_who_may_export_Then_only_the_holder_of_ExportAudit_may()
    {
        await fixture.GrantPersonaAsync("carol", Personas.Auditor);

        Assert.True(await Feed.CanExportAsync(PortalHostFixture.Actor("carol")));
        Assert.False(await Feed.CanExportAsync(PortalHostFixture.Actor("alice")));
    }
}
