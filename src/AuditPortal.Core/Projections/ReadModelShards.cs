namespace AuditPortal.Core.Projections;

/// <summary>
/// Names of the daemon's progression rows: every async read model runs inside one composite projection (one event
/// fetch and deserialization for all of them), so code that reads progress matches these names exactly. The
/// composite's are spelled here, the members' come from their <see cref="ReadModelCatalog"/> entries.
/// </summary>
public static class ReadModelShards
{
    /// <summary>The composite that runs every async read model in one pass over the events.</summary>
    public const string Composite = "ReadModels";

    /// <summary>The composite's own shard: the one the daemon runs, locks (HotCold) and reports through its tracker.</summary>
    public const string CompositeShard = "ReadModels:All";

    /// <summary>The members' own progression rows (members keep one each inside the composite), from their catalog entries.</summary>
    public static string WalletSummary => ReadModelCatalog.WalletSummary.ProgressionRow;
    public static string WalletTransaction => ReadModelCatalog.WalletTransaction.ProgressionRow;
    public static string AccountProjection => ReadModelCatalog.AccountProjection.ProgressionRow;
    public static string JobOwnerView => ReadModelCatalog.JobOwnerView.ProgressionRow;
    public static string JobParticipantView => ReadModelCatalog.JobParticipantView.ProgressionRow;
    public static string DailyActivity => ReadModelCatalog.DailyActivity.ProgressionRow;

    /// <summary>Every member's progression row, in the catalog's order.</summary>
    public static IReadOnlyList<string> Members { get; } = ReadModelCatalog.ProgressionRows();

    /// <summary>Marten's own row: the highest event sequence known to be gap-free.</summary>
    public const string HighWaterMark = "HighWaterMark";
}
