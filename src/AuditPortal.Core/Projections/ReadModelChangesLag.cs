using Marten;

namespace AuditPortal.Core.Projections;

/// <summary>How far the slowest of some projections is behind the event store's high-water mark.</summary>
public sealed record ReadModelLag(long HighWaterMark, long SlowestSequence)
{
    public long Behind => Math.Max(0, HighWaterMark - SlowestSequence);
}

public interface IReadModelLag
{
    /// <param name="projections">Parts of the projection shard names to watch, e.g. "WalletSummary".</param>
    Task<ReadModelLag> MeasureAsync(IReadOnlyCollection<string> projections, CancellationToken ct = default);
}

/// <summary>Reads Marten's progression table: a few rows, cheap enough to poll every couple of seconds.</summary>
public sealed class ReadModelLagProbe(IDocumentStore store) : IReadModelLag
{
    public static readonly string[] WalletProjections = ["WalletSummary", "WalletTransaction"];
    public static readonly string[] JobProjections = ["JobOwnerView", "JobParticipantView"];

    public async Task<ReadModelLag> MeasureAsync(IReadOnlyCollection<string> projections, CancellationToken ct = default)
    {
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        var highWater = progress.FirstOrDefault(p => p.ShardName.Contains("HighWaterMark", StringComparison.OrdinalIgnoreCase))?.Sequence ?? 0;
        var watched = progress.Where(p => projections.Any(name => p.ShardName.Contains(name, StringComparison.OrdinalIgnoreCase))).ToList();
        // A watched projection without a progress row has not processed anything yet (new, or reset for a rebuild).
        var complete = projections.All(name => watched.Any(p => p.ShardName.Contains(name, StringComparison.OrdinalIgnoreCase)));
        var slowest = complete ? watched.Min(p => p.Sequence) : 0;
        return new ReadModelLag(highWater, slowest);
    }
}
