namespace AuditPortal.Core.Projections;

public sealed record DaemonHealthReport(bool Degraded, string Description, IReadOnlyDictionary<string, object> Data);

/// <summary>
/// Tells a stalled daemon from a busy one: events are waiting, yet over <see cref="Window"/> neither the high-water
/// mark nor a lagging projection has moved. A projection paused on an error is reported at once, with its failing event.
/// Keeps the last observed positions between checks (a singleton).
/// </summary>
public sealed class DaemonHealth(ProjectionOperations operations, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Position, DateTimeOffset Since)> _seen = [];

    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);
    public long MaxLagEvents { get; init; } = 10_000;

    public async Task<DaemonHealthReport> CheckAsync(IReadOnlyCollection<string>? rebuilding = null, CancellationToken ct = default)
    {
        var store = operations.Store;
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        var status = await operations.StatusAsync(rebuilding, ct);
        var daemonMark = progress.FirstOrDefault(p => p.ShardName == ReadModelShards.HighWaterMark)?.Sequence ?? 0;
        var lastEvent = await operations.LastEventSequenceAsync(ct);
        var now = time.GetUtcNow();

        var data = new Dictionary<string, object> { ["eventSequence"] = lastEvent, ["highWaterMark"] = daemonMark };
        var problems = new List<string>();

        if (lastEvent > daemonMark && Stalled("HighWaterMark", daemonMark, now))
            problems.Add($"the high-water mark has stayed at {daemonMark} for {Window.TotalSeconds:N0} s while events up to {lastEvent} are waiting");
        foreach (var s in status)
        {
            data[s.Name] = new { state = s.State.ToString(), s.Position, s.LagEvents, s.LagSeconds, s.LastError, s.FailedSequence, s.FailedEventType };
            if (s.State is ProjectionState.Paused or ProjectionState.Failed)
                problems.Add($"{s.Name} is {s.State.ToString().ToLowerInvariant()} on event {s.FailedSequence?.ToString() ?? "?"} ({s.FailedEventType ?? "unknown type"}): {s.LastError}");
            else if (s.State != ProjectionState.Rebuilding && s.LagEvents > 0 && Stalled(s.ShardName, s.Position, now))
                problems.Add($"{s.Name} has stayed at {s.Position} for {Window.TotalSeconds:N0} s, {s.LagEvents} events behind");
            else if (s.State != ProjectionState.Rebuilding && s.LagEvents > MaxLagEvents)
                problems.Add($"{s.Name} is {s.LagEvents} events behind");
            if (s.LagEvents == 0) Forget(s.ShardName);
        }
        if (lastEvent <= daemonMark) Forget("HighWaterMark");

        var maxLag = status.Count == 0 ? 0 : status.Max(s => s.LagEvents);
        return problems.Count > 0
            ? new DaemonHealthReport(true, "Projection daemon: " + string.Join("; ", problems) + ".", data)
            : new DaemonHealthReport(false, $"Projection daemon: {status.Count} projections, at most {maxLag} events behind.", data);
    }

    private bool Stalled(string key, long position, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_seen.TryGetValue(key, out var seen) || seen.Position != position)
            {
                _seen[key] = (position, now);
                return false;
            }
            return now - seen.Since >= Window;
        }
    }

    private void Forget(string key)
    {
        lock (_gate) _seen.Remove(key);
    }
}
