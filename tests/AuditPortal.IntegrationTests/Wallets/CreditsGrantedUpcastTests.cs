using AuditPortal.Core.Database;
using AuditPortal.Core.Audit;
using AuditPortal.Core.Common;
using AuditPortal.Core.DemoData;
using AuditPortal.Core.Integrity;
using AuditPortal.Core.Projections;
using AuditPortal.Core.Wallets;
using AuditPortal.IntegrationTests.Infrastructure;
using Marten;
using Npgsql;

namespace AuditPortal.IntegrationTests.Wallets;

/// <summary>
/// Two wallets with the same history, one stored the way the portal stored grants before they had a source (v1,
/// <c>credits_granted</c>), one as today (v2, <c>credits_granted_v2</c>): the aggregate, the daemon, Marten's rebuild and
/// the bulk pass give both the same state; the chain verifies; the explorer shows each grant's stored version.
/// </summary>
public class CreditsGrantedUpcastTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static List<object> History(Guid id, Guid jobId) =>
    [
        new WalletOpened(id, "olivia", "alice", At),
        new CreditsGranted(id, 50, GrantTypes.Manual, null, "alice", At.AddMinutes(1), "welcome"),
        new CreditsSpent(id, 20, SpendTypes.JobLaunch, new TypeMetadata(jobId), "sam", At.AddMinutes(2), "launch"),
        new CreditsGranted(id, 20, GrantTypes.Refund, new TypeMetadata(jobId), "sam", At.AddMinutes(3), "refund", GrantSource.Refund),
    ];

    /// <summary>What the read models hold for one wallet, with its id replaced so two wallets compare.</summary>
    private async Task<List<string>> ReadModelsAsync(Guid id) =>
        (await Sql.QueryAsync(fixture.ConnectionString,
            """
            select 'summary ' || balance || ' ' || mt_version || ' ' || data::text from mt_doc_walletsummary where id = @id
            union all
            select 'transaction ' || version || ' ' || kind || ' ' || amount || ' ' || type || ' ' || coalesce(job_id::text, '-') || ' ' ||
                   actor || ' ' || at || ' ' || reason || ' ' || coalesce(source, '-') from wallet_transaction where wallet_id = @id
            union all
            select 'account ' || credits || ' ' || coalesce(owner, '-') || ' ' || last_changed_at from account_projection where aggregate_id = @id
            order by 1
            """, r => r.GetString(0), ("id", id)))
        .Select(row => row.Replace(id.ToString(), "WALLET", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Given_the_same_history_stored_as_v1_and_as_v2_When_read_folded_and_rebuilt_Then_both_give_the_same_state()
    {
        var (v1, v2, job) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        await BulkHistory.ImportAsync<Wallet>(fixture.Store, [(v1, History(v1, job))], upgradedAt: DateTimeOffset.MaxValue);
        await BulkHistory.ImportAsync<Wallet>(fixture.Store, [(v2, History(v2, job))]);

        // Stored: v1 exactly as an older portal wrote it (its name, its .NET type name, no source); v2 under its own name.
        var stored = await Sql.QueryAsync(fixture.ConnectionString,
            "select stream_id = @v1, type, mt_dotnet_type, data ? 'source' from mt_events where stream_id in (@v1, @v2) and type like 'credits_granted%' order by 1, version",
            r => (r.GetBoolean(0), r.GetString(1), r.GetString(2), r.GetBoolean(3)), ("v1", v1), ("v2", v2));
        Assert.Equal(
        [
            (false, "credits_granted_v2", "AuditPortal.Core.Wallets.CreditsGranted, AuditPortal.Core", true),
            (false, "credits_granted_v2", "AuditPortal.Core.Wallets.CreditsGranted, AuditPortal.Core", true),
            (true, "credits_granted", OlderVersions.CreditsGrantedV1DotNetType, false),
            (true, "credits_granted", OlderVersions.CreditsGrantedV1DotNetType, false),
        ], stored);

        // Read through Marten: the v1 grants arrive as v2, their source derived from the old body.
        await using (var query = fixture.Store.QuerySession())
        {
            var events = await query.Events.FetchStreamAsync(v1);
            Assert.Equal([GrantSource.Manual, GrantSource.Refund], events.Select(e => e.Data).OfType<CreditsGranted>().Select(g => g.Source));
            Assert.Equal(["credits_granted", "credits_granted"], events.Where(e => e.Data is CreditsGranted).Select(e => e.EventTypeName));
            var (a, b) = (await query.Events.AggregateStreamAsync<Wallet>(v1), await query.Events.AggregateStreamAsync<Wallet>(v2));
            Assert.Equal(new Wallet(v1, "olivia", 50, At.AddMinutes(3)), a);
            Assert.Equal(a! with { Id = v2 }, b);
        }

        // The live daemon.
        await fixture.WaitForProjectionsAsync();
        var byDaemon = await ReadModelsAsync(v2);
        Assert.Equal(5, byDaemon.Count); // the summary, three transactions, the account
        Assert.Equal(byDaemon, await ReadModelsAsync(v1));
        // The history's source: the v1 welcome grant reads Manual and its refund Refund (upcast), as the v2 ones say; a spend has none.
        Assert.Equal(["Manual", "-", "Refund"], byDaemon.Where(r => r.StartsWith("transaction ", StringComparison.Ordinal)).OrderBy(r => r).Select(r => r[(r.LastIndexOf(' ') + 1)..]));

        // Marten's own rebuild, then the bulk pass (which reads the COPY stream itself).
        var admin = PortalHostFixture.Actor(PortalHostFixture.Admin);
        var daemon = await new ProjectionOperations(fixture.Store, TimeProvider.System, fixture.Get<JasperFx.Events.Daemon.IProjectionCoordinator>())
            .RebuildAsync(admin, new RebuildRequest(ThroughDaemon: true));
        Assert.True(daemon.Succeeded, daemon.Error);
        await fixture.WaitForProjectionsAsync();
        Assert.Equal(byDaemon, await ReadModelsAsync(v1));
        Assert.Equal(byDaemon, await ReadModelsAsync(v2));
        await new ReadModelBulkRebuild(fixture.Store).RunAsync(null, CancellationToken.None);
        Assert.Equal(byDaemon, await ReadModelsAsync(v1));
        Assert.Equal(byDaemon, await ReadModelsAsync(v2));

        // The chain covers the stored bytes: a history mixing both versions seals and verifies.
        await using (var conn = await PortalSql.OpenAsync(fixture.ConnectionString))
        {
            await EventSeals.SealCommittedAsync(conn, fixture.Store.Options.Events.DatabaseSchemaName);
            var verified = await EventSeals.VerifyAsync(conn, fixture.Store.Options.Events.DatabaseSchemaName);
            Assert.True(verified.Intact, string.Join("; ", verified.Tamperings.Select(t => $"{t.SequenceNumber}: {t.Problem}")));
            Assert.True(verified.VerifiedEvents >= 8);
        }

        // The explorer: one type for both versions, the detail names the stored version and shows the stored body.
        var feed = new AuditFeed(fixture.Store, new FixedActor(Actor.System("test")));
        foreach (var (id, version, name) in new[] { (v1, 1, "credits_granted"), (v2, 2, "credits_granted_v2") })
        {
            var grants = (await feed.QueryAsync(new AuditFilter { StreamId = id, EventType = AuditTypeNames.CreditsGranted })).Entries;
            Assert.Equal(2, grants.Count);
            Assert.All(grants, g => Assert.Equal(AuditTypeNames.CreditsGranted, g.EventType));
            Assert.Contains("(refund of job", grants[0].Summary);
            var detail = await feed.GetAsync(grants[0].Sequence);
            Assert.Equal((name, version), (detail!.StoredType, detail.Version));
            Assert.Equal(version == 2, detail.PayloadJson.Contains("\"source\"", StringComparison.Ordinal));
        }
    }
}
