using System.Diagnostics;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;

namespace AuditPortal.Core.Projections;

public enum ProjectionState
{
    UpToDate,
    CatchingUp,
    Rebuilding,
    Paused,
    Failed,
    NotStarted,
}

public sealed record ProjectionStatus(
    string Name, string ShardName, uint Version, ProjectionState State, long Position, long HighWaterMark, long LagEvents,
    double LagSeconds, string? LastError, long? FailedSequence, string? FailedEventType, DateTimeOffset? LastUpdated);

public sealed record StreamTypeCount(string StreamType, long Events);

/// <summary>One step of a rebuild: <see cref="BatchEvents"/> events in <see cref="BatchMilliseconds"/> since the previous step.</summary>
public sealed record RebuildProgress(
    string Projection, long Position, long HighWaterMark, long BatchEvents, double? BatchMiB, double BatchMilliseconds,
    long TotalEvents, double EventsPerSecond, double Percent, TimeSpan? TimeLeft);

public sealed record RebuildOutcome(
    Guid RebuildId, bool Succeeded, bool Cancelled, string[] Projections, long Events, TimeSpan Elapsed,
    string? FailedProjection = null, long? FailedSequence = null, string? FailedEventType = null, string? Error = null, bool Refused = false,
    IReadOnlyDictionary<string, long>? EventsByReadModel = null, IReadOnlyList<BulkRebuildPhase>? Phases = null)
{
    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Events / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// One async read model: its own progression row (<see cref="ShardName"/>) and the daemon projection that runs and
/// rebuilds it (<see cref="RunBy"/>, with shard <see cref="RunByShard"/>): the composite for every member of it.
/// </summary>
public sealed record ReadModelShard(string Name, string ShardName, uint Version, string RunBy, string RunByShard);

/// <param name="ThroughDaemon">Rebuild the read-model composite through Marten's daemon instead of the bulk pass (a comparison for the benchmark).</param>
public sealed record RebuildRequest(string? Projection = null, bool Parallel = false, bool MeasureBatchSizes = false, bool ThroughDaemon = false);

/// <summary>
/// Status and rebuild of the async read models, on Marten only. The daemon to rebuild with is the host's running one
/// when there is one (it pauses the shard, rebuilds and restarts it), otherwise a daemon built for the operation.
/// Every rebuild is recorded on the operations stream: who started it, and how it ended.
/// </summary>
public sealed class ProjectionOperations(IDocumentStore store, TimeProvider time, IProjectionCoordinator? coordinator = null)
{
    private static readonly TimeSpan RebuildTimeout = TimeSpan.FromHours(2);

    public IDocumentStore Store => store;

    /// <summary>Every async read model; the members of a composite each keep their own progression row.</summary>
    public IReadOnlyList<ReadModelShard> AsyncProjections()
    {
        var result = new List<ReadModelShard>();
        foreach (var p in ((StoreOptions)store.Options).Projections.All.Where(p => p.Lifecycle == ProjectionLifecycle.Async))
        {
            foreach (var shard in p.ShardNames())
            {
                if (p is Marten.Events.Projections.CompositeProjection composite)
                {
                    var versions = composite.AllProjections().OfType<ProjectionBase>().ToDictionary(m => m.Name, m => m.Version);
                    foreach (var member in composite.ConstituentShardNames(shard))
                        result.Add(new ReadModelShard(member.Name, member.Identity, versions.GetValueOrDefault(member.Name, 1u), p.Name, shard.Identity));
                }
                else
                {
                    result.Add(new ReadModelShard(p.Name, shard.Identity, p.Version, p.Name, shard.Identity));
                }
            }
        }
        return result;
    }

    /// <summary>Events per stream type, optionally only those up to sequence <paramref name="upTo"/> (what a rebuild processed).</summary>
    public async Task<IReadOnlyList<StreamTypeCount>> CountEventsByStreamTypeAsync(long? upTo = null, CancellationToken ct = default)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        return await store.QueryAsync(
            $"select coalesce(s.type, '(none)'), count(*) from {schema}.mt_events e join {schema}.mt_streams s on s.id = e.stream_id " +
            "where e.seq_id <= @upTo group by 1 order by 2 desc",
            r => new StreamTypeCount(r.GetString(0), r.GetInt64(1)), ct, ("upTo", upTo ?? long.MaxValue));
    }

    public async Task<IReadOnlyList<ProjectionStatus>> StatusAsync(IReadOnlyCollection<string>? rebuilding = null, CancellationToken ct = default)
    {
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        var highWater = Math.Max(
            progress.FirstOrDefault(p => p.ShardName == ReadModelShards.HighWaterMark)?.Sequence ?? 0,
            await LastEventSequenceAsync(ct));
        var agents = RunningAgents();
        var failures = await LastOutcomesAsync(ct);
        var now = time.GetUtcNow();

        var result = new List<ProjectionStatus>();
        foreach (var (name, shard, version, runBy, runByShard) in AsyncProjections())
        {
            var row = progress.FirstOrDefault(p => p.ShardName == shard);
            var position = row?.Sequence ?? 0;
            // A composite's members share its agent: its failure and pause concern all of them.
            agents.TryGetValue(runByShard, out var agent);
            if (agent is not null && runByShard == shard) position = Math.Max(position, agent.Position);
            var lag = Math.Max(0, highWater - position);
            var lagSeconds = lag == 0 ? 0 : await SecondsSinceFirstUnprocessedAsync(position, now, ct);
            var failure = agent?.Failure ?? row?.Failure;
            if (!failures.TryGetValue(name, out var lastFailure)) failures.TryGetValue(runBy, out lastFailure);
            var state =
                rebuilding?.Contains(name) == true || rebuilding?.Contains(runBy) == true ? ProjectionState.Rebuilding
                : failure is not null || agent?.Status == JasperFx.AgentStatus.Paused ? ProjectionState.Paused
                : lastFailure is not null ? ProjectionState.Failed
                : row is null && agent is null ? ProjectionState.NotStarted
                : lag == 0 ? ProjectionState.UpToDate
                : ProjectionState.CatchingUp;
            result.Add(new ProjectionStatus(
                name, shard, version, state, position, highWater, lag, lagSeconds,
                failure?.Message ?? lastFailure?.Error, failure?.Event?.Sequence ?? lastFailure?.FailedSequence,
                failure?.Event?.EventTypeName ?? lastFailure?.FailedEventType, row?.LastUpdated));
        }
        return result;
    }

    /// <summary>
    /// Throws <see cref="AccessDeniedException"/> unless <paramref name="actor"/> holds ManageProjections now: checked when
    /// an operation runs (not when a page was opened), through the portal's one gate (<see cref="PortalAccess"/>, which records the refusal).
    /// </summary>
    public Task EnsureAllowedAsync(Actor actor, CancellationToken ct = default) =>
        PortalAccess.DemandAsync(store, actor, "projections", ct, Permission.ManageProjections);

    /// <summary>Rebuilds the async read models (all, or one by name) from the events: the read-model composite into shadow tables switched in at the end (<see cref="ReadModelBulkRebuild"/>), any other projection truncated and replayed.</summary>
    /// <exception cref="AccessDeniedException">The actor may not manage projections; nothing is recorded or rebuilt.</exception>
    public async Task<RebuildOutcome> RebuildAsync(
        Actor actor, RebuildRequest request, IProgress<RebuildProgress>? progress = null, Func<string>? cancelledBy = null, CancellationToken ct = default)
    {
        // Not with ct: a request cancelled at once is still checked, then recorded as cancelled.
        await EnsureAllowedAsync(actor, CancellationToken.None);
        var all = AsyncProjections();
        // A member of a composite is rebuilt with the whole composite: the one pass over the events feeds every member.
        var runs = request.Projection is { } one
            ? all.Where(p => string.Equals(p.Name, one, StringComparison.OrdinalIgnoreCase) || string.Equals(p.RunBy, one, StringComparison.OrdinalIgnoreCase))
                .Select(p => p.RunBy).Distinct().ToArray()
            : all.Select(p => p.RunBy).Distinct().ToArray();
        if (runs.Length == 0)
            throw new ArgumentException($"There is no async projection named '{request.Projection}'. Known: {string.Join(", ", all.Select(p => p.Name).Distinct())}.");
        var shards = all.Where(p => runs.Contains(p.RunBy)).ToList();
        var names = shards.Select(p => p.Name).Distinct().ToArray();

        var rebuildId = Guid.CreateVersion7();
        // Recorded even when cancelled at once: the log shows every request and how it ended.
        var before = await store.Advanced.FetchEventStoreStatistics(token: CancellationToken.None);
        await RecordAsync(actor, rebuildId, new ProjectionRebuildStarted(rebuildId, names, before.EventSequenceNumber, actor.UserName, time.GetUtcNow()), CancellationToken.None);
        // Read after the started event: the rebuild processes that event too, so progress and counts agree.
        var stats = await store.Advanced.FetchEventStoreStatistics(token: CancellationToken.None);

        var clock = Stopwatch.StartNew();
        var running = coordinator?.DaemonForMainDatabase() is { IsRunning: true } hosted ? hosted : null;
        // The read-model composite is rebuilt by the bulk pass (one COPY pass, no daemon); any other async projection by the daemon.
        var bulk = runs.Contains(ReadModelShards.Composite) && !request.ThroughDaemon;
        var daemonRuns = bulk ? runs.Where(r => r != ReadModelShards.Composite).ToArray() : runs;
        // The host's daemon pauses while the bulk pass runs, so none of its batches is in flight while the tables are
        // refilled, and resumes afterwards, reading every position again: the composite carries on from the rebuild's
        // mark (or, after a failure or a cancel, from where it was: the rebuild's transaction rolled back). Stopping
        // only the composite's agent is not enough: the coordinator restarts it and it resumes from its old position.
        // With HotCold on two nodes the agent may run on the other node (see the Projections README).
        var paused = bulk && running is not null && coordinator is not null;
        var owned = running is null && daemonRuns.Length > 0 ? await store.BuildProjectionDaemonAsync() : null;
        var daemon = running ?? owned;
        long events = 0;
        try
        {
            IReadOnlyDictionary<string, long>? byReadModel = null;
            IReadOnlyList<BulkRebuildPhase>? phases = null;
            events = stats.EventSequenceNumber;
            if (bulk)
            {
                if (paused) await coordinator!.PauseAsync();
                BulkRebuildResult result;
                try
                {
                    result = await RebuildReadModelsAsync(progress, ct);
                }
                finally
                {
                    if (paused)
                    {
                        await coordinator!.ResumeAsync();
                        paused = false;
                    }
                }
                byReadModel = result.EventsByReadModel;
                phases = result.Phases;
                events = Math.Max(events, result.HighWaterMark);
            }
            if (daemonRuns.Length > 0)
            {
                var daemonShards = shards.Where(s => daemonRuns.Contains(s.RunBy)).ToList();
                using var watcher = new RebuildWatcher(this, daemon!, daemonShards, stats.EventSequenceNumber, request.MeasureBatchSizes, progress);
                if (request.Parallel)
                    await Task.WhenAll(daemonRuns.Select(n => RebuildOneAsync(daemon!, n, running is not null, daemonShards, ct)));
                else
                    foreach (var run in daemonRuns) await RebuildOneAsync(daemon!, run, running is not null, daemonShards, ct);
            }
            var outcome = new RebuildOutcome(rebuildId, true, false, names, events, clock.Elapsed, EventsByReadModel: byReadModel, Phases: phases);
            await RecordAsync(actor, rebuildId, new ProjectionRebuildCompleted(rebuildId, names, events, clock.Elapsed.TotalSeconds, actor.UserName, time.GetUtcNow()), CancellationToken.None);
            return outcome;
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or TaskCanceledException || IsCancellation(e) && ct.IsCancellationRequested)
        {
            var who = cancelledBy?.Invoke() ?? actor.UserName;
            await RecordAsync(actor, rebuildId, new ProjectionRebuildCancelled(rebuildId, names, who, time.GetUtcNow()), CancellationToken.None);
            return new RebuildOutcome(rebuildId, false, true, names, events, clock.Elapsed, Error: $"Cancelled by {who}.");
        }
        catch (BulkRebuildException e)
        {
            await RecordAsync(actor, rebuildId, new ProjectionRebuildFailed(rebuildId, e.ReadModel, e.Sequence, e.EventType, e.Message, actor.UserName, time.GetUtcNow()), CancellationToken.None);
            return new RebuildOutcome(rebuildId, false, false, names, events, clock.Elapsed, e.ReadModel, e.Sequence, e.EventType, e.Message);
        }
        catch (ProjectionRebuildException e)
        {
            var failure = FindFailure(e.InnerException);
            await RecordAsync(actor, rebuildId, new ProjectionRebuildFailed(rebuildId, e.Projection, failure.Sequence, failure.EventType, failure.Message, actor.UserName, time.GetUtcNow()), CancellationToken.None);
            return new RebuildOutcome(rebuildId, false, false, names, events, clock.Elapsed, e.Projection, failure.Sequence, failure.EventType, failure.Message);
        }
        finally
        {
            if (paused) await coordinator!.ResumeAsync();
            if (owned is not null)
            {
                await owned.StopAllAsync();
                (owned as IDisposable)?.Dispose();
            }
        }
    }

    /// <summary>
    /// Recomputes the aggregate read models of one stream from its events (WalletSummary for a wallet, JobOwnerView for
    /// a job) without touching any other stream. Per-event documents and multi-stream views need a full rebuild.
    /// </summary>
    public async Task<string[]> RebuildStreamAsync(Actor actor, Guid streamId, CancellationToken ct = default)
    {
        await EnsureAllowedAsync(actor, ct);
        await using var session = store.LightweightSession();
        session.LastModifiedBy = actor.UserName;
        var state = await session.Events.FetchStreamStateAsync(streamId, ct)
                    ?? throw new ArgumentException($"There is no stream {streamId}.");
        var rebuilt = new List<string>();
        if (state.AggregateType == typeof(Wallet) || state.AggregateType?.Name == nameof(Wallet))
        {
            var summary = await session.Events.AggregateStreamAsync<WalletSummary>(streamId, token: ct);
            if (summary is not null) { session.Store(summary); rebuilt.Add(nameof(WalletSummary)); }
        }
        else if (state.AggregateType == typeof(Job) || state.AggregateType?.Name == nameof(Job))
        {
            var owner = await session.Events.AggregateStreamAsync<JobOwnerView>(streamId, token: ct);
            if (owner is not null) { session.Store(owner); rebuilt.Add(nameof(JobOwnerView)); }
        }
        else
        {
            throw new ArgumentException($"Stream {streamId} is a {state.AggregateType?.Name ?? "stream of unknown type"}; only wallet and job streams have per-stream read models.");
        }
        await session.SaveChangesAsync(ct);
        return [.. rebuilt];
    }

    internal async Task<double> MiBBetweenAsync(long from, long to, CancellationToken ct)
    {
        var bytes = await store.ScalarAsync<long>(
            $"select coalesce(sum(pg_column_size(data)), 0) from {store.Options.Events.DatabaseSchemaName}.mt_events where seq_id > @a and seq_id <= @b",
            ct, ("a", from), ("b", to));
        return bytes / (1024.0 * 1024);
    }

    /// <summary>Rebuilds every read model of the composite with <see cref="ReadModelBulkRebuild"/> (the caller paused the host's daemon).</summary>
    private async Task<BulkRebuildResult> RebuildReadModelsAsync(IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        try
        {
            ct.ThrowIfCancellationRequested();
            // No check after it: once its transaction committed, the rebuild is done, not cancelled.
            return await new ReadModelBulkRebuild(store).RunAsync(progress, ct);
        }
        catch (Exception e) when (e is not BulkRebuildException && !(ct.IsCancellationRequested && IsCancellation(e)))
        {
            throw new ProjectionRebuildException(ReadModelShards.Composite, e);
        }
    }

    private async Task RebuildOneAsync(IProjectionDaemon daemon, string name, bool resume, List<ReadModelShard> shards, CancellationToken ct)
    {
        try
        {
            try
            {
                // Checked on both sides: a rebuild that finishes before it notices the token still counts as cancelled.
                ct.ThrowIfCancellationRequested();
                await daemon.RebuildProjectionAsync(name, RebuildTimeout, ct);
                ct.ThrowIfCancellationRequested();
            }
            finally
            {
                // The host's daemon leaves a rebuilt shard stopped: hand it back to continuous processing,
                // also after a cancel (it resumes from the last committed position) and after a failure (it stops again on the event).
                if (resume)
                {
                    foreach (var shard in shards.Where(s => s.RunBy == name).Select(s => s.RunByShard).Distinct())
                        await daemon.StartAgentAsync(shard, CancellationToken.None);
                }
            }
        }
        catch (Exception e) when (!(ct.IsCancellationRequested && IsCancellation(e)))
        {
            throw new ProjectionRebuildException(name, e);
        }
    }

    private Dictionary<string, ISubscriptionAgent> RunningAgents()
    {
        var daemon = coordinator?.DaemonForMainDatabase();
        if (daemon is not { IsRunning: true }) return [];
        return daemon.CurrentAgents().ToDictionary(a => a.Name.Identity, a => a);
    }

    /// <summary>
    /// The newest event's sequence, read from the primary key. Marten's <c>FetchEventStoreStatistics</c> also counts
    /// every event and stream, which the status (polled by the admin overview, the projections page and /health) never
    /// needs: at 1,000,000 events that count was most of the admin overview's time.
    /// </summary>
    public async Task<long> LastEventSequenceAsync(CancellationToken ct = default)
    {
        return await store.ScalarAsync<long>($"select coalesce(max(seq_id), 0) from {store.Options.Events.DatabaseSchemaName}.mt_events", ct);
    }

    private async Task<double> SecondsSinceFirstUnprocessedAsync(long position, DateTimeOffset now, CancellationToken ct)
    {
        var seconds = await store.ScalarAsync<double>(
            $"select extract(epoch from (@now - timestamp))::float8 from {store.Options.Events.DatabaseSchemaName}.mt_events where seq_id > @p order by seq_id limit 1",
            ct, ("p", position), ("now", now));
        return Math.Max(0, seconds);
    }

    /// <summary>The last failed rebuild of each projection that has not been followed by a completed one.</summary>
    private async Task<Dictionary<string, ProjectionRebuildFailed>> LastOutcomesAsync(CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var events = await query.Events.FetchStreamAsync(ProjectionOperationsLog.StreamId, token: ct);
        var failed = new Dictionary<string, ProjectionRebuildFailed>();
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case ProjectionRebuildFailed f: failed[f.Projection] = f; break;
                case ProjectionRebuildCompleted c: foreach (var p in c.Projections) failed.Remove(p); break;
            }
        }
        return failed;
    }

    /// <summary>Appends to the operations log; one rebuild (start and end) is one operation, caused by its rebuild id.</summary>
    private Task RecordAsync(Actor actor, Guid rebuildId, object e, CancellationToken ct) =>
        // With the version it follows (an event is bound to its place in the stream, EventBinding); two nodes recording at once: the later appends after.
        Common.EventLog.AppendAsync<ProjectionOperationsLog>(store, ProjectionOperationsLog.StreamId,
            new EventMetadata(actor.UserName, actor.CorrelationFor(rebuildId), rebuildId.ToString()), ct, e);

    private static bool IsCancellation(Exception e) =>
        e is OperationCanceledException || e.InnerException is { } inner && IsCancellation(inner)
        || e is AggregateException a && a.InnerExceptions.All(IsCancellation);

    private static (long? Sequence, string? EventType, string Message) FindFailure(Exception? e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is IEventFailureContext context)
                return (context.Sequence, context.EventTypeName, Root(x).Message);
        }
        return (null, null, Root(e).Message);
    }

    private static Exception Root(Exception? e)
    {
        var x = e ?? new InvalidOperationException("Unknown failure");
        while (x.InnerException is not null) x = x.InnerException;
        return x;
    }

    private sealed class ProjectionRebuildException(string projection, Exception inner)
        : Exception($"Rebuilding {projection} failed: {inner.Message}", inner)
    {
        public string Projection { get; } = projection;
    }

    /// <summary>Turns the daemon's shard updates into progress steps.</summary>
    private sealed class RebuildWatcher : IObserver<ShardState>, IDisposable
    {
        private readonly ProjectionOperations _owner;
        private readonly Dictionary<string, string> _shards;
        private readonly long _highWater;
        private readonly bool _sizes;
        private readonly IProgress<RebuildProgress>? _progress;
        private readonly IDisposable? _subscription;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Dictionary<string, (long Position, double Ms)> _last = [];
        private readonly Lock _gate = new();
        private long _total;

        public RebuildWatcher(ProjectionOperations owner, IProjectionDaemon daemon, List<ReadModelShard> shards, long highWater, bool sizes, IProgress<RebuildProgress>? progress)
        {
            _owner = owner;
            // The daemon reports the shard it runs (the composite), not its members.
            _shards = shards.GroupBy(s => s.RunByShard).ToDictionary(g => g.Key, g => g.First().RunBy);
            _highWater = Math.Max(1, highWater);
            _sizes = sizes;
            _progress = progress;
            if (progress is not null) _subscription = daemon.Tracker.Subscribe(this);
        }

        public void OnNext(ShardState value)
        {
            if (!_shards.TryGetValue(value.ShardName, out var name) || value.Sequence <= 0) return;
            long batch;
            double batchMs;
            long total;
            long previous;
            lock (_gate)
            {
                _last.TryGetValue(value.ShardName, out var last);
                if (value.Sequence <= last.Position) return;
                previous = last.Position;
                batch = value.Sequence - last.Position;
                var now = _clock.Elapsed.TotalMilliseconds;
                batchMs = now - last.Ms;
                _last[value.ShardName] = (value.Sequence, now);
                _total += batch;
                total = _total;
            }
            double? mib = _sizes ? _owner.MiBBetweenAsync(previous, value.Sequence, CancellationToken.None).GetAwaiter().GetResult() : null;
            var elapsed = _clock.Elapsed.TotalSeconds;
            var rate = elapsed > 0 ? total / elapsed : 0;
            var goal = (double)_highWater * _shards.Count;
            var percent = Math.Min(100, 100 * total / goal);
            TimeSpan? left = rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, goal - total) / rate) : null;
            _progress!.Report(new RebuildProgress(name, value.Sequence, _highWater, batch, mib, batchMs, total, rate, percent, left));
        }

        public void OnError(Exception error) { }

        public void OnCompleted() { }

        public void Dispose() => _subscription?.Dispose();
    }
}
