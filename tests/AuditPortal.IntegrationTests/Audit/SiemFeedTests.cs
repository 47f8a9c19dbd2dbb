using AuditPortal.Core.ServiceTokens;

namespace AuditPortal.IntegrationTests.Audit;

/// <summary>A security tool's side of the feed: one page as NDJSON, split into its event lines and the closing line.</summary>
internal static class FeedConsumer
{
    public sealed record Page(List<long> Sequences, List<string> Lines, long Next, long HighWater, bool More);

    public static async Task<Page> ReadAsync(SiemFeed feed, SiemFeedCaller caller, long after, int limit)
    {
        using var body = new MemoryStream();
        var written = await feed.WriteAsync(caller, after, limit, body);
        var lines = Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length).Split('\n');
        Assert.Equal("", lines[^1]);
        var sequences = new List<long>(lines.Length);
        for (var i = 0; i < lines.Length - 2; i++) sequences.Add(SequenceOf(lines[i]));
        using var closing = JsonDocument.Parse(lines[^2]);
        Assert.False(closing.RootElement.TryGetProperty("sequence", out _));
        var page = new Page(sequences, lines[..^2].ToList(), closing.RootElement.GetProperty("next").GetInt64(),
            closing.RootElement.GetProperty("highWater").GetInt64(), closing.RootElement.GetProperty("more").GetBoolean());
        Assert.Equal((written.Next, written.HighWater, written.More, written.Events), (page.Next, page.HighWater, page.More, page.Sequences.Count));
        return page;
    }

    /// <summary>The first property of an event line, read without parsing the rest (a million lines stay cheap).</summary>
    private static long SequenceOf(string line)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
        Assert.True(reader.Read() && reader.TokenType == JsonTokenType.StartObject);
        Assert.True(reader.Read() && reader.ValueTextEquals("sequence"));
        Assert.True(reader.Read());
        return reader.GetInt64();
    }
}

public class SiemFeedTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    private static readonly Permission[] Export = [Permission.ExportAudit];
    private Actor Admin => PortalHostFixture.Actor(PortalHostFixture.Admin);
    private ServiceTokenService Tokens => fixture.Get<ServiceTokenService>();
    private SiemFeed Feed => fixture.Get<SiemFeed>();
    private static ServiceTokenUse Use => new(Guid.CreateVersion7().ToString(), "10.0.0.9", "/api/audit/feed");

    private async Task<string> IssueAsync(ServiceTokenService tokens, string name, Permission[] permissions, TimeSpan life, TimeProvider? clock = null)
    {
        var (result, token) = await tokens.IssueAsync(Admin, Guid.CreateVersion7(), Guid.CreateVersion7(), name, permissions,
            (clock ?? TimeProvider.System).GetUtcNow() + life, "SOC ingestion");
        Assert.True(result.Succeeded, result.Message);
        return Assert.IsType<string>(token);
    }

    private Task<List<long>> SequencesAsync(long after, long upTo) =>
        Sql.QueryAsync(fixture.ConnectionString,
            $"select seq_id from {fixture.Store.Options.Events.DatabaseSchemaName}.mt_events where seq_id > @after and seq_id <= @upTo order by seq_id",
            r => r.GetInt64(0), ("after", after), ("upTo", upTo));

    [Fact]
    public async Task Given_a_token_with_ExportAudit_When_a_consumer_pages_stops_and_resumes_from_its_cursor_Then_it_gets_every_event_once_in_order_and_misses_nothing()
    {
        var wallet = await fixture.SupportWalletAsync(100, owner: "feed-dana", support: "feed-alice");
        await fixture.WaitForProjectionsAsync();
        var access = Assert.IsType<ServiceTokenAccess>(await Tokens.AuthenticateAsync(await IssueAsync(Tokens, "siem-a", Export, TimeSpan.FromDays(30)), Use));
        var caller = new SiemFeedCaller.Service(access);

        var seen = new List<long>();
        FeedConsumer.Page page;
        long cursor = 0;
        do
        {
            page = await FeedConsumer.ReadAsync(Feed, caller, cursor, 3);
            seen.AddRange(page.Sequences);
            cursor = page.Next;
        } while (page.More);
        Assert.Equal(await SequencesAsync(0, page.HighWater), seen);

        // The consumer stops; more happens (the issue of another token among it); it comes back with its last cursor.
        var alice = PortalHostFixture.Actor("feed-alice");
        for (var i = 0; i < 5; i++) Assert.True((await fixture.Get<WalletService>().GrantAsync(alice, Guid.CreateVersion7(), wallet, 1, $"top-up {i}", null)).Succeeded);
        await IssueAsync(Tokens, "siem-b", Export, TimeSpan.FromDays(1));
        await fixture.WaitForProjectionsAsync();
        var resumed = new List<long>();
        var lines = new List<string>();
        do
        {
            page = await FeedConsumer.ReadAsync(Feed, caller, cursor, 4);
            resumed.AddRange(page.Sequences);
            lines.AddRange(page.Lines);
            cursor = page.Next;
        } while (page.More);
        Assert.Equal(await SequencesAsync(seen[^1], page.HighWater), resumed);
        Assert.True(resumed.Count >= 6, $"resumed with {resumed.Count} events");

        using var grant = JsonDocument.Parse(lines.First(l => l.Contains("\"top-up 0\"", StringComparison.Ordinal)));
        var e = grant.RootElement;
        Assert.Equal(("credits_granted", "wallet", "feed-alice", wallet), (e.GetProperty("type").GetString(), e.GetProperty("streamType").GetString(), e.GetProperty("actor").GetString(), e.GetProperty("stream").GetGuid()));
        Assert.Equal(2, e.GetProperty("typeVersion").GetInt32());
        Assert.EndsWith("+00:00", e.GetProperty("timestamp").GetString(), StringComparison.Ordinal);
        foreach (var field in new[] { "id", "version", "correlation", "causation" }) Assert.True(e.TryGetProperty(field, out _), field);
        Assert.Equal(1, e.GetProperty("data").GetProperty("amount").GetInt32());
    }

    [Fact]
    public async Task Given_tokens_revoked_expired_altered_or_without_ExportAudit_When_presented_Then_none_authenticates_or_the_feed_refuses()
    {
        var revoked = await IssueAsync(Tokens, "siem-revoked", Export, TimeSpan.FromDays(30));
        Assert.True(ServiceToken.TryParse(revoked, out var revokedId));
        Assert.NotNull(await Tokens.AuthenticateAsync(revoked, Use));
        Assert.True((await Tokens.RevokeAsync(Admin, Guid.CreateVersion7(), revokedId, "rotated")).Succeeded);
        Assert.Null(await Tokens.AuthenticateAsync(revoked, Use));

        // Issued two days ago for one day, by the same code on a clock that says so.
        var past = new ManualClock(DateTimeOffset.UtcNow.AddDays(-2));
        var expired = await IssueAsync(new ServiceTokenService(fixture.Get<CommandExecutor>(), fixture.Store, past), "siem-expired", Export, TimeSpan.FromDays(1), past);
        Assert.Null(await Tokens.AuthenticateAsync(expired, Use));

        var good = await IssueAsync(Tokens, "siem-good", Export, TimeSpan.FromDays(30));
        Assert.Null(await Tokens.AuthenticateAsync(good[..^1] + (good[^1] == 'A' ? 'B' : 'A'), Use));
        Assert.Null(await Tokens.AuthenticateAsync("apt_" + Guid.CreateVersion7().ToString("N") + "_" + new string('A', 43), Use));

        var readOnly = Assert.IsType<ServiceTokenAccess>(await Tokens.AuthenticateAsync(await IssueAsync(Tokens, "siem-read", [Permission.ReadAudit], TimeSpan.FromDays(30)), Use));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Feed.WriteAsync(new SiemFeedCaller.Service(readOnly), 0, 10, Stream.Null));

        await fixture.GrantPersonaAsync("feed-support", Personas.Support);
        await fixture.GrantPersonaAsync("feed-auditor", Personas.Auditor);
        await Assert.ThrowsAsync<AccessDeniedException>(() => Feed.WriteAsync(new SiemFeedCaller.Person(PortalHostFixture.Actor("feed-support")), 0, 10, Stream.Null));
        await Feed.WriteAsync(new SiemFeedCaller.Person(PortalHostFixture.Actor("feed-auditor")), 0, 10, Stream.Null);

        // Only admins issue; the refusal gives no token.
        var (refused, none) = await Tokens.IssueAsync(PortalHostFixture.Actor("feed-auditor"), Guid.CreateVersion7(), Guid.CreateVersion7(), "siem-x", Export, DateTimeOffset.UtcNow.AddDays(1), "mine");
        Assert.Equal((CommandStatus.Forbidden, (string?)null), (refused.Status, none));

        // The events hold the hash, never the secret.
        var stored = await Sql.ScalarAsync<string>(fixture.ConnectionString,
            $"select string_agg(data::text, ' ') from {fixture.Store.Options.Events.DatabaseSchemaName}.mt_events where type like 'service_token%'");
        Assert.Contains(ServiceToken.Hash(good), stored, StringComparison.Ordinal);
        Assert.DoesNotContain(good[37..], stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_token_used_many_times_on_two_nodes_When_uses_are_recorded_Then_there_is_at_most_one_use_event_per_token_and_minute()
    {
        var clock = new ManualClock(new DateTimeOffset(DateTimeOffset.UtcNow.Year + 1, 1, 1, 10, 0, 5, TimeSpan.Zero));
        // Two portal nodes: each its own service, with its own memory of what it recorded.
        var nodeA = new ServiceTokenService(fixture.Get<CommandExecutor>(), fixture.Store, clock);
        var nodeB = new ServiceTokenService(fixture.Get<CommandExecutor>(), fixture.Store, clock);
        var token = await IssueAsync(nodeA, "siem-busy", Export, TimeSpan.FromDays(1), clock);
        Assert.True(ServiceToken.TryParse(token, out var tokenId));

        async Task<List<ServiceTokenUsed>> UseAsync(int times)
        {
            var uses = await Task.WhenAll(Enumerable.Range(0, times).Select(i => (i % 2 == 0 ? nodeA : nodeB).AuthenticateAsync(token, Use)));
            Assert.All(uses, Assert.NotNull);
            return (await fixture.EventsAsync(ServiceTokenUsage.StreamIdFor(tokenId))).Select(e => (ServiceTokenUsed)e.Data).ToList();
        }

        Assert.Single(await UseAsync(40));
        clock.Advance(TimeSpan.FromSeconds(50));
        Assert.Single(await UseAsync(10));
        clock.Advance(TimeSpan.FromSeconds(10));
        var used = await UseAsync(30);
        Assert.Equal([clock.GetUtcNow().AddMinutes(-1).AddSeconds(-5), clock.GetUtcNow().AddSeconds(-5)], used.Select(u => u.Minute));
        Assert.All(used, u => Assert.Equal(("service:siem-busy", "10.0.0.9"), (u.Principal, u.ClientAddress)));
        // A fresh node whose memory is empty asks the stream and records nothing more for this minute.
        var nodeC = new ServiceTokenService(fixture.Get<CommandExecutor>(), fixture.Store, clock);
        Assert.NotNull(await nodeC.AuthenticateAsync(token, Use));
        Assert.Equal(2, (await fixture.EventsAsync(ServiceTokenUsage.StreamIdFor(tokenId))).Count);
    }
}

/// <summary>A store with a million imported events and no daemon (the projections have nothing to do with the feed).</summary>
public sealed class MillionEventsFixture : PortalHostFixture
{
    protected override DaemonMode Daemon => DaemonMode.Disabled;
}

/// <summary>
/// The import fills a million events into the shared cluster for a minute: run on its own, after the parallel classes,
/// so that its load is not what the other classes' timings (e.g. Marten's 3 s stale-sequence threshold) are measured against.
/// </summary>
[CollectionDefinition(nameof(SiemFeedMillionTests), DisableParallelization = true)]
public sealed class MillionEventsCollection;

[Collection(nameof(SiemFeedMillionTests))]
public class SiemFeedMillionTests(MillionEventsFixture fixture, ITestOutputHelper output) : IClassFixture<MillionEventsFixture>
{
    [Fact]
    public async Task Given_a_million_events_When_a_consumer_reads_the_feed_in_pages_Then_it_gets_every_sequence_exactly_once_in_order()
    {
        var import = await BulkHistory.GenerateAsync(fixture.Store, new BulkHistoryOptions { TotalEvents = 1_000_000, Wallets = 100_000 });
        // No daemon runs here; nothing is in flight after the import, so the mark may move to the newest event as the
        // daemon's high-water detection would.
        await fixture.Store.Advanced.AdvanceHighWaterMarkToLatestAsync(CancellationToken.None);
        var (total, max) = Assert.Single(await Sql.QueryAsync(fixture.ConnectionString,
            $"select count(*), max(seq_id) from {fixture.Store.Options.Events.DatabaseSchemaName}.mt_events", r => (r.GetInt64(0), r.GetInt64(1))));
        Assert.True(total >= 1_000_000, $"{total} events");

        var feed = fixture.Get<SiemFeed>();
        var caller = new SiemFeedCaller.Person(PortalHostFixture.Actor(PortalHostFixture.Admin));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long cursor = 0, delivered = 0, previous = 0;
        var pages = 0;
        FeedConsumer.Page page;
        do
        {
            page = await FeedConsumer.ReadAsync(feed, caller, cursor, SiemFeed.MaxLimit);
            foreach (var sequence in page.Sequences)
            {
                // Strictly increasing and drawn from the table: with the count below, every sequence exactly once.
                Assert.True(sequence > previous, $"sequence {sequence} after {previous}");
                previous = sequence;
            }
            delivered += page.Sequences.Count;
            cursor = page.Next;
            pages++;
        } while (page.More);
        output.WriteLine($"{import.Events:N0} imported in {import.Elapsed.TotalSeconds:F1} s; {delivered:N0} events in {pages} pages in {watch.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(total, delivered);
        Assert.Equal(max, cursor);
        Assert.Equal(max, page.HighWater);
        Assert.Empty((await FeedConsumer.ReadAsync(feed, caller, cursor, 10)).Sequences);
    }
}
