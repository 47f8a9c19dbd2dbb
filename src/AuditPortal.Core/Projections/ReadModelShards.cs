namespace AuditPortal.Core.Projections;

/// <summary>
/// Names of the daemon's progression rows, spelled once: every async read model runs inside one composite projection
/// (one event fetch and deserialization for all of them), so code that reads progress matches these names exactly.
/// </summary>
public static class ReadModelShards
{
    /// <summary>The composite that runs every async read model in one pass over the events.</summary>
    public const string Composite = "ReadModels";

    /// <summary>The composite's own shard: the one the daemon runs, locks (HotCold) and reports through its tracker.</summary>
    public const string CompositeShard = "ReadModels:All";

    /// <summary>The members' own progression rows (members keep one each inside the composite).</summary>
    public const string WalletSummary = "WalletSummary:All";
    public const string WalletTransaction = "WalletTransaction:All";
    public const string AccountProjection = "AccountProjection:All";
    public const string JobOwnerView = "JobOwnerView:All";
    public const string JobParticipantView = "JobParticipantView:All";
    public const string DailyActivity = Overview.DailyActivityProjection.ProjectionName + ":All";

    /// <summary>Marten's own row: the highest event sequence known to be gap-free.</summary>
    public const string HighWaterMark = "HighWaterMark";
}
