using System.Text.Json;
using AuditPortal.Core.DemoData;
using AuditPortal.Core.Jobs;
using AuditPortal.Core.Wallets;
using AuditPortal.Core.Projections;
using AuditPortal.IntegrationTests.Infrastructure;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;

namespace AuditPortal.IntegrationTests.Projections;

/// <summary>
/// The read-model catalog against the real store: the composite Marten runs is the catalog's, every entry's table is
/// there after the apply step, every bulk member writes its entry's table, and the previous version reads every
/// document the catalog says it serves.
/// </summary>
public class ReadModelCatalogTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    private StoreOptions Options => (StoreOptions)fixture.Store.Options;

    private CompositeProjection Composite =>
        Options.Projections.All.OfType<CompositeProjection>().Single(p => p.Name == ReadModelShards.Composite);

    [Fact]
    public void Every_projection_of_the_composite_has_exactly_one_catalog_entry_and_every_entry_is_in_the_composite()
    {
        var inComposite = Composite.AllProjections().OfType<ProjectionBase>().Select(p => p.Name).Order().ToArray();
        Assert.Equal(ReadModelCatalog.All.Select(e => e.Name).Order().ToArray(), inComposite);
    }

    [Fact]
    public async Task Every_entry_s_table_exists_after_the_apply_step_and_its_progression_row_is_the_one_Marten_writes()
    {
        await fixture.SupportWalletAsync(40);
        await fixture.WaitForProjectionsAsync();
        var schema = fixture.Store.Options.DatabaseSchemaName;
        var tables = ReadModelCatalog.Tables(Options);
        // The tables code without a store uses (the apply step's functions, the move aside) are the store's.
        Assert.Equal(tables, ReadModelUpgrade.Tables);
        var existing = await Sql.QueryAsync(fixture.ConnectionString,
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = @s and c.relkind = 'r' and c.relname = any(@t)",
            r => r.GetString(0), ("s", schema), ("t", tables));
        Assert.Equal(tables.Order(), existing.Order());
        var rows = (await fixture.Store.Advanced.AllProjectionProgress()).Select(p => p.ShardName).ToHashSet();
        Assert.All(ReadModelCatalog.All, e => Assert.Contains(e.ProgressionRow, rows));
    }

    [Fact]
    public void Each_bulk_member_writes_exactly_its_entry_s_table()
    {
        var context = new ReadModelBulkRebuild.MemberContext(fixture.Store, Options.DatabaseSchemaName, new JsonSerializerOptions(), Composite);
        Assert.All(ReadModelCatalog.All, e =>
        {
            var member = e.Bulk(context);
            Assert.Equal(e.Name, member.Name);
            Assert.Equal($"{Options.DatabaseSchemaName}.{e.Table(Options)}", member.Table);
        });
    }

    [Fact]
    public void The_live_pages_reload_for_the_events_their_read_models_fold()
    {
        var kinds = ReadModelCatalog.WatchedEventTypes(fixture.Store);
        Type[] wallet = [typeof(WalletOpened), typeof(CreditsGranted), typeof(CreditsSpent)];
        Type[] job = [typeof(JobPosted), typeof(ParticipantInvited), typeof(JobApplicationSubmitted), typeof(ParticipantAccepted),
            typeof(JobLaunched), typeof(JobCompleted), typeof(JobCancelled)];
        Assert.Equal(wallet.Select(t => t.Name).Order(), kinds.Where(k => k.Value == ChangeKind.Wallet).Select(k => k.Key.Name).Order());
        Assert.Equal(job.Select(t => t.Name).Order(), kinds.Where(k => k.Value == ChangeKind.Job).Select(k => k.Key.Name).Order());
        Assert.Empty(kinds.Keys.Intersect(ReadModelChange.Kinds.Keys));
    }

    [Fact]
    public async Task Every_document_the_previous_version_serves_is_read_by_PreviousReadModels()
    {
        await BulkHistory.GenerateAsync(fixture.Store, new BulkHistoryOptions { TotalEvents = 600, Wallets = 20, JobShare = 0.3, StreamsPerBatch = 20 });
        await fixture.WaitForProjectionsAsync();
        var schema = fixture.Store.Options.DatabaseSchemaName;
        var previous = ReadModelUpgrade.PreviousSchema(schema);
        var served = ReadModelCatalog.All.Where(e => e.PreviousServes).ToArray();
        Assert.Equal(served.Select(e => e.Document!), PreviousReadModels.Documents);
        // A previous version as the upgrade leaves it: the tables, rows and all, in <schema>_previous.
        await Sql.ExecAsync(fixture.ConnectionString, $"create schema {previous}; " + string.Join(" ", served.Select(e =>
            $"create table {previous}.{e.Table(Options)} as select * from {schema}.{e.Table(Options)};")));
        try
        {
            using var reader = new PreviousReadModels(fixture.Store);
            await using var session = reader.QuerySession();
            foreach (var entry in served)
            {
                var expected = await Sql.ScalarAsync<long>(fixture.ConnectionString, $"select count(*) from {schema}.{entry.Table(Options)}");
                Assert.True(expected > 0, $"{entry.Name} has no rows to read");
                var read = (Task<int>)typeof(ReadModelCatalogTests).GetMethod(nameof(CountAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                    .MakeGenericMethod(entry.Document!).Invoke(null, [session])!;
                Assert.Equal(expected, await read);
            }
        }
        finally
        {
            await Sql.ExecAsync(fixture.ConnectionString, $"drop schema {previous} cascade");
        }
    }

    // Reads every document (id and JSON) into the current type, as the lists do.
    private static async Task<int> CountAsync<T>(IQuerySession session) where T : notnull => (await session.Query<T>().ToListAsync()).Count;
}
