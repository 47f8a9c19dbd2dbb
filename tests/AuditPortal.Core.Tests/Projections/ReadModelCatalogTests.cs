using AuditPortal.Core.Projections;

namespace AuditPortal.Core.Tests.Projections;

/// <summary>The catalog's names, without a database: what the progression rows, the banner and the upgrade derive from it.</summary>
public class ReadModelCatalogTests
{
    [Fact]
    public void Names_tables_and_progression_rows_are_unique()
    {
        Assert.Equal(ReadModelCatalog.All.Count, ReadModelCatalog.All.Select(e => e.Name).Distinct().Count());
        Assert.Equal(ReadModelCatalog.All.Count, ReadModelCatalog.DefaultTables().Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(ReadModelCatalog.ProgressionRows(), ReadModelShards.Members);
        Assert.DoesNotContain(ReadModelShards.CompositeShard, ReadModelShards.Members);
    }

    [Fact]
    public void The_lists_banners_watch_the_entries_of_their_area()
    {
        Assert.Equal([ReadModelShards.WalletSummary, ReadModelShards.WalletTransaction], ReadModelLagProbe.WalletProjections);
        Assert.Equal([ReadModelShards.JobOwnerView, ReadModelShards.JobParticipantView], ReadModelLagProbe.JobProjections);
    }

    [Fact]
    public void Only_document_read_models_are_served_by_the_previous_version()
    {
        Assert.All(ReadModelCatalog.All.Where(e => e.PreviousServes), e => Assert.NotNull(e.Document));
        Assert.Equal(["mt_doc_walletsummary", "mt_doc_jobownerview", "mt_doc_jobparticipantview"],
            ReadModelCatalog.All.Where(e => e.PreviousServes).Select(e => e.Table(new Marten.StoreOptions())));
    }
}
