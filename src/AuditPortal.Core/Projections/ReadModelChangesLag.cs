namespace AuditPortal.Core.Projections;

/// <summary>How far the slowest of some projections is behind the event store's high-water mark.</summary>
/// <param name="NewVersion">
/// The read models are being built as a new version (their shape changed; see <see cref="ReadModelUpgrade"/>) and the
/// lists show the previous version (<see cref="PreviousReadModels"/>) until the switch.
/// </param>
public sealed record ReadModelLag(long HighWaterMark, long SlowestSequence, bool NewVersion = false)
{
    public long Behind => Math.Max(0, HighWaterMark - SlowestSequence);

    public double Percent => HighWaterMark <= 0 ? 100 : Math.Min(100, 100.0 * Math.Max(0, SlowestSequence) / HighWaterMark);
}

public interface IReadModelLag
{
    /// <param name="projections">Progression rows to watch, exactly as named, e.g. <see cref="ReadModelShards.WalletSummary"/>.</param>
    Task<ReadModelLag> MeasureAsync(IReadOnlyCollection<string> projections, CancellationToken ct = default);
}

/// <summary>Reads Marten's progression table: a few rows, cheap enough to poll every couple of seconds.</summary>
public sealed class ReadModelLagProbe(IDocumentStore store) : IReadModelLag
{
    /// <summary>The read models the wallet pages watch (their catalog entries' <see cref="ReadModelEntry.WatchedBy"/>).</summary>
    public static readonly string[] WalletProjections = ReadModelCatalog.WatchedBy(ChangeKind.Wallet);
    /// <summary>The read models the job pages watch.</summary>
    public static readonly string[] JobProjections = ReadModelCatalog.WatchedBy(ChangeKind.Job);

    public async Task<ReadModelLag> MeasureAsync(IReadOnlyCollection<string> projections, CancellationToken ct = default)
    {
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        var highWater = progress.FirstOrDefault(p => p.ShardName == ReadModelShards.HighWaterMark)?.Sequence ?? 0;
        var watched = progress.Where(p => projections.Contains(p.ShardName)).ToList();
        // A watched projection without a progress row has not processed anything yet (new, or reset for a rebuild).
        var complete = projections.All(name => watched.Any(p => p.ShardName == name));
        var slowest = complete ? watched.Min(p => p.Sequence) : 0;
        // Is a new version being built while the previous one answers the lists? It stays so until the switch, which
        // may come a poll after the build caught up.
        await using var session = store.QuerySession();
        return new ReadModelLag(highWater, slowest, await ReadModelUpgrade.PreviousIsServingAsync(session, ct));
    }
}
