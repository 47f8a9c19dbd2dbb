using System.Diagnostics;
using System.Threading.Channels;
using AuditPortal.Core.Overview;
using JasperFx.Events.Aggregation;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events;
using Marten.Services;

namespace AuditPortal.Core.Projections;

/// <summary>An event a bulk rebuild could not read or apply: the rebuild stops there and changes nothing.</summary>
public sealed class BulkRebuildException(string readModel, long? sequence, string? eventType, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public string ReadModel { get; } = readModel;
    public long? Sequence { get; } = sequence;
    public string? EventType { get; } = eventType;
}

/// <summary>
/// What a bulk rebuild did: the mark it rebuilt to, the events it read, how many each read model applied, and how many
/// indexes and keys it built on the new tables.
/// </summary>
public sealed record BulkRebuildResult(
    long HighWaterMark, long EventsRead, IReadOnlyDictionary<string, long> EventsByReadModel, TimeSpan Elapsed, IReadOnlyList<BulkRebuildPhase> Phases,
    int IndexesRebuilt);

/// <summary>One step of a bulk rebuild and how long it took: what bounds the rebuild, for the benchmark's profile.</summary>
public sealed record BulkRebuildPhase(string Name, TimeSpan Elapsed);

/// <summary>
/// Rebuilds every member of the <see cref="ReadModelShards.Composite"/> composite in one pass without the daemon. The
/// events stream out of <c>mt_events</c> by binary COPY (one snapshot, up to a gap-free mark); each is deserialized
/// once with the store's serializer and folded by the members' own code (the aggregations' generated <c>Evolve</c>,
/// i.e. their Create/Apply methods; the SQL read models' one fold: <see cref="AccountProjection.Fold"/>, <see cref="DailyActivityProjection.Fold"/>,
/// <see cref="WalletTransactionProjection.ToTransaction"/>). The new rows go in by binary COPY. One transaction
/// fills shadow tables, moves every progression row to the mark and switches the shadows in: readers keep reading the
/// old rows for the length of the rebuild and wait only for the switch, and the daemon carries on from the mark.
/// </summary>
/// <remarks>
/// Why not the daemon: its composite pass was bounded by the members' per-batch SQL and per-document upserts
/// (0.27–0.35× one bare Marten projection for six read models). Here one thread reads and folds while the writing
/// connection copies the per-event rows in, and each stream's rows once its last event is folded; only the rows of
/// streams still open, and those not kept per stream (participants, days), wait in memory until the end.
/// </remarks>
public sealed partial class ReadModelBulkRebuild(IDocumentStore store)
{
    /// <summary>Events per progress step.</summary>
    public int ProgressEvery { get; init; } = 50_000;

    /// <summary>Distinct actors and event types read as one string instance each (tests set 0: every value a new string).</summary>
    internal int CachedStrings { get; init; } = 10_000;

    /// <summary>Taken for the rebuild's transaction: one bulk rebuild at a time across every node of the database.</summary>
    public const long AdvisoryLockKey = 0x4150_5242_5244_4D31; // "APRBRDM1"

    private StoreOptions Options => (StoreOptions)store.Options;

    /// <summary>Where the reading and the writing thread spend their time (Stopwatch ticks), reported as phases.</summary>
    internal sealed class Profile
    {
        public long Io, Deserialize, Fold, Send, WriterWait, Write;

        public IEnumerable<BulkRebuildPhase> Phases() =>
            new[] { ("reader: reads the COPY data", Io), ("reader: deserialize", Deserialize), ("reader: fold", Fold), ("reader: waits for the writer", Send),
                    ("writer: waits for the reader", WriterWait), ("writer: sends the COPY data", Write) }
                .Select(p => new BulkRebuildPhase(p.Item1, Stopwatch.GetElapsedTime(0, p.Item2)));
    }

    public async Task<BulkRebuildResult> RunAsync(IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var paused = GC.GetTotalPauseDuration();
        var collections = (Gen0: GC.CollectionCount(0), Gen1: GC.CollectionCount(1), Gen2: GC.CollectionCount(2));
        var phases = new List<BulkRebuildPhase>();
        var phaseClock = Stopwatch.StartNew();
        void Phase(string name)
        {
            phases.Add(new BulkRebuildPhase(name, phaseClock.Elapsed));
            phaseClock.Restart();
        }
        var profile = new Profile();
        var schema = Options.DatabaseSchemaName;
        var eventsSchema = Options.Events.DatabaseSchemaName;
        var json = JsonOptions(Options.Serializer());
        var members = Members(schema, json);
        var events = (EventGraph)Options.Events;
        var typed = members.SelectMany(m => m.EventTypes).Distinct().ToDictionary(t => events.EventMappingFor(t).EventTypeName, EventReader.For);
        // Older versions stored under their own names: read as the old shape, folded as the new one (Marten's upcasters).
        foreach (var upcast in EventUpcast.All.Where(u => members.Any(m => m.EventTypes.Contains(u.NewType))))
            typed[upcast.StoredName] = EventReader.For(upcast);

        foreach (var entry in ReadModelCatalog.All.Where(e => e.Document is not null))
            await store.Storage.Database.EnsureStorageExistsAsync(entry.Document!, ct);

        await using var writer = await store.OpenConnectionAsync(ct);
        await using var tx = await writer.BeginTransactionAsync(ct);
        if (!await writer.ScalarAsync<bool>("select pg_try_advisory_xact_lock(@key)", ct, ("key", AdvisoryLockKey)))
            throw new BulkRebuildException(ReadModelShards.Composite, null, null, "Another rebuild of the read models is running (on this node or another).");
        foreach (var member in members) await member.CheckColumnsAsync(writer, ct);

        // The snapshot and its mark come first: the events up to the mark are what the shadows will hold.
        await using var reader = await store.OpenConnectionAsync(ct);
        await using var snapshot = await reader.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var mark = await GapFreeMarkAsync(reader, eventsSchema, ct);
        // The pass reads in sequence order; sorting a million events' JSON spills to disk, walking the key's index does not.
        await reader.ExecAsync("set local enable_sort = off", ct);
        // Shadow tables, not a truncate: readers (lists, overview, psql) keep reading the tables as they are until the
        // switch at the end, which holds their exclusive locks only for the drop and renames and the commit. The shadows
        // come without indexes (building an index once over the new rows costs a fraction of keeping it up to date row by
        // row: WalletSummary's nine secondary indexes, a trigram one among them, made its copy 6 s of a 32 s rebuild) and
        // get them once the rows are in. The runtime role owns no table, so the schema owner's functions create, index
        // and switch them, and only for the read-model tables the apply step recorded.
        var tables = members.Select(m => m.Table[(m.Table.IndexOf('.') + 1)..]).ToArray();
        var shadows = tables.Select(t => t + ReadModelIndexes.ShadowSuffix).ToArray();
        if (!await ReadModelIndexes.ShadowAvailableAsync(writer, schema, ct) || !await ReadModelIndexes.AvailableAsync(writer, schema, ct))
            throw new BulkRebuildException(ReadModelShards.Composite, null, null, "This database lacks the read-model shadow functions: run the apply step (db-apply) first.");
        var shadowIndexes = await ReadModelIndexes.ShadowCreateAsync(writer, schema, tables, ct);
        var total = await reader.ScalarAsync<long>($"select count(*) from {eventsSchema}.mt_events where seq_id <= @mark", ct, ("mark", mark));
        // Each stream's type (for the per-day counts) and version in the snapshot (its last event, after which the rows
        // of the members keyed by it are final), in a dictionary made at its size: grown by doubling, each resize held
        // the old and the new arrays (550,000 entries at 5,000,000 events).
        var streams = new Dictionary<Guid, StreamEntry>(
            (int)await reader.ScalarAsync<long>($"select count(*) from {eventsSchema}.mt_streams", ct));
        await using (var cmd = new NpgsqlCommand($"select id, coalesce(type, ''), version from {eventsSchema}.mt_streams", reader))
        await using (var rows = await cmd.ExecuteReaderAsync(ct))
        {
            // One instance per stream type: the per-day counts key on the strings' identity.
            var distinct = new Dictionary<string, string>();
            while (await rows.ReadAsync(ct))
            {
                var type = rows.GetString(1);
                streams[rows.GetGuid(0)] = new StreamEntry(distinct.TryGetValue(type, out var known) ? known : distinct[type] = type, rows.GetInt64(2));
            }
        }

        Phase("lock, mark and shadow tables");

        // Per-event rows, and the rows of every stream that has ended, leave while the pass goes on, on the rebuild's
        // transaction: only the rows of streams still open stay in memory.
        var writing = members.Where(m => m.WritesDuringPass).ToArray();
        var free = FreeChunks();
        var chunks = FullChunks();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        foreach (var member in writing) member.SendTo(new ChunkSink(member, chunks.Writer, free.Reader, profile, stop.Token));
        var write = Task.Run(() =>
        {
            try
            {
                CopyChunks(writer, chunks.Reader, free.Writer, profile, stop.Token);
            }
            catch
            {
                // Stops the reader too, which would otherwise wait for room in the channel.
                stop.Cancel();
                throw;
            }
        }, CancellationToken.None);
        long read;
        try
        {
            read = await Task.Run(() => ReadAndFold(reader, eventsSchema, mark, total, typed, streams, members, ReadModelEventsJson.Over(json), profile, progress, clock, stop.Token),
                CancellationToken.None);
            // The folded rows are all in memory here: the managed heap's size tells what the rebuild's memory grows with.
            Phase($"read, deserialize and fold every event (managed heap {GC.GetTotalMemory(false) / (1024 * 1024):N0} MiB at its end)");
            chunks.Writer.Complete();
            await write;
            Phase($"finish copying {string.Join(", ", writing.Select(m => m.Name))}");
        }
        catch (Exception x)
        {
            chunks.Writer.TryComplete();
            Exception? writeFailure = null;
            try { await write; } catch (Exception w) { writeFailure = w; }
            // The writer stopped first: its failure is the cause, the reader's cancellation only the consequence.
            if (x is OperationCanceledException && !ct.IsCancellationRequested && writeFailure is not null and not OperationCanceledException)
                throw writeFailure;
            throw;
        }
        await snapshot.CommitAsync(ct);
        // Only the pass needed the streams (one entry per stream: 550,000 at 5,000,000 events).
        streams.Clear();
        streams.TrimExcess();

        // The rows still folded (open streams, participants, days) are encoded by one thread into the bounded chunks while
        // the writer copies them in, one read model after the other, each read model's rows let go once encoded: the
        // COPY data in memory stays a few MB, never a whole table's. (Encoding them all at once beside the documents was
        // the rebuild's peak: 805 MiB at 5,000,000 events.)
        var after = new Profile();
        foreach (var member in members.Where(m => m.HasFolded))
        {
            var full = FullChunks();
            var sink = new ChunkSink(member, full.Writer, free.Reader, after, stop.Token);
            var encode = Task.Run(() =>
            {
                try
                {
                    member.EncodeFolded(sink, stop.Token);
                    sink.Flush();
                    full.Writer.Complete();
                }
                catch (Exception x)
                {
                    // Ends the copy with the failure, which the writer then reports.
                    full.Writer.TryComplete(x);
                    throw;
                }
            }, CancellationToken.None);
            try
            {
                CopyChunks(writer, full.Reader, free.Writer, after, stop.Token);
                await encode;
            }
            catch (Exception x)
            {
                // The encoding thread may wait for a free chunk: stop it, and never leave it running.
                stop.Cancel();
                try { await encode; } catch { /* the first failure is the cause */ }
                if (x is OperationCanceledException) throw;
                throw new BulkRebuildException(member.Name, null, null, $"Writing {member.Name} failed: {x.Message}", x);
            }
            Phase($"encode and copy {member.Name}");
        }

        // Indexes and keys once every row is in: building one over the new rows costs a fraction of keeping it up to date.
        var rebuilt = 0;
        if (shadowIndexes > 0)
        {
            await writer.ExecAsync("set local maintenance_work_mem = '128MB'", ct);
            foreach (var table in shadows)
            {
                var built = await ReadModelIndexes.CreateAsync(writer, schema, [table], ct);
                if (built > 0) Phase($"build {built} indexes and keys of {table}");
                rebuilt += built;
            }
        }

        // The progression rows move on the rebuild's own transaction, so the switch is atomic: the new tables and their
        // positions commit together or not at all. Marten 9.58 has no API that can: its progression operations
        // (InsertProjectionProgress, UpdateProjectionProgress) are internal, IProjectionBatch.RecordProgress exists only
        // inside a daemon batch, and the public IEventStore.RewindAgentProgressAsync / RewindSubscriptionProgressAsync
        // open a session (connection and transaction) of their own. So this is Marten's own statement from
        // RewindAgentProgressAsync, on Marten's progression table, for the shards Marten names.
        var names = new[] { ReadModelShards.CompositeShard }.Concat(members.Select(m => new ShardName(m.Name, ShardName.All, 1).Identity)).ToArray();
        await writer.ExecAsync(
            $"insert into {store.Options.Schema.ForEventProgression(true)} (name, last_seq_id) select n, @mark from unnest(@names::text[]) as n " +
            "on conflict (name) do update set last_seq_id = excluded.last_seq_id, last_updated = transaction_timestamp()", ct, ("names", names), ("mark", mark));
        Phase("progression");
        await SwitchAsync(writer, schema, tables, ct);
        await tx.CommitAsync(ct);
        Phase("switch and commit");
        phases.AddRange(profile.Phases());
        phases.Add(new BulkRebuildPhase(
            $"process: garbage collection pauses ({GC.CollectionCount(0) - collections.Gen0} gen0, {GC.CollectionCount(1) - collections.Gen1} gen1, {GC.CollectionCount(2) - collections.Gen2} gen2)",
            GC.GetTotalPauseDuration() - paused));
        return new BulkRebuildResult(mark, read, members.ToDictionary(m => m.Name, m => m.Applied), clock.Elapsed, phases, rebuilt);
    }

    /// <summary>How long the switch may wait for a reader's lock before it lets the queued readers through and tries again.</summary>
    internal static readonly TimeSpan SwitchLockWait = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Replaces the tables by their shadows. The drop waits for the readers in flight; while it waits, readers that
    /// come after queue behind it, so it waits at most <see cref="SwitchLockWait"/>, steps back (a savepoint) and tries
    /// again: no reader waits longer than that for the switch, however long a transaction holds a table.
    /// </summary>
    private static async Task SwitchAsync(NpgsqlConnection writer, string schema, string[] tables, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            await writer.ExecAsync($"savepoint read_model_switch; set local lock_timeout = '{(int)SwitchLockWait.TotalMilliseconds}ms'", ct);
            try
            {
                await ReadModelIndexes.ShadowSwitchAsync(writer, schema, tables, ct);
                await writer.ExecAsync("set local lock_timeout = 0; release savepoint read_model_switch", ct);
                return;
            }
            catch (PostgresException x) when (x.SqlState == PostgresErrorCodes.LockNotAvailable && waited.Elapsed < TimeSpan.FromMinutes(2))
            {
                await writer.ExecAsync("rollback to savepoint read_model_switch", ct);
                await Task.Delay(SwitchLockWait, ct);
            }
        }
    }

    private long ReadAndFold(
        NpgsqlConnection reader, string eventsSchema, long mark, long total, Dictionary<string, EventReader> typed, Dictionary<Guid, StreamEntry> streams,
        List<Member> members, JsonSerializerOptions json, Profile prof, IProgress<RebuildProgress>? progress, Stopwatch clock, CancellationToken ct)
    {
        long read = 0;
        var daily = members.OfType<DailyMember>().SingleOrDefault();
        var ending = members.Where(m => m.EndsWithStream).ToArray();
        foreach (var type in typed.Values)
            type.Folders = members.Where(m => m is not DailyMember && m.EventTypes.Contains(type.Type)).ToArray();
        var stepClock = Stopwatch.StartNew();
        long stepStart = 0;
        long stepBytes = 0;
        // Raw bytes rather than Npgsql's binary exporter, whose per-value work made reading 3.2 s of this thread (now 1.7 s).
        using var raw = reader.BeginRawBinaryCopy(
            $"copy (select seq_id, id, stream_id, version, type, timestamp, user_name, data from {eventsSchema}.mt_events " +
            $"where seq_id <= {mark} order by seq_id) to stdout (format binary)");
        var copy = new PgBinaryCopyReader(raw, CachedStrings);
        var lastStream = Guid.Empty;
        var stream = StreamEntry.Unknown;
        while (true)
        {
            // One event in Sampled is timed and counted Sampled times: a timestamp costs about 80 ns on this kind of
            // machine, and three per event were 2% of the pass.
            var timed = read % Sampled == 0;
            var t0 = timed ? Stopwatch.GetTimestamp() : 0;
            if (copy.StartRow() == -1) break;
            var sequence = copy.Int64();
            var id = copy.Uuid();
            var streamId = copy.Uuid();
            var version = copy.Int64();
            var typeName = copy.CachedText();
            var timestamp = copy.TimestampTz();
            var userName = copy.NextIsNull() ? null : copy.CachedText();
            object? data = null;
            if (typed.TryGetValue(typeName, out var mapping))
            {
                var bytes = copy.Jsonb();
                stepBytes += bytes.Length;
                if (timed)
                {
                    var t1 = Stopwatch.GetTimestamp();
                    prof.Io += (t1 - t0) * Sampled;
                    t0 = t1;
                }
                try
                {
                    data = mapping.Read(bytes, json);
                    if (timed)
                    {
                        var t1 = Stopwatch.GetTimestamp();
                        prof.Deserialize += (t1 - t0) * Sampled;
                        t0 = t1;
                    }
                }
                catch (Exception x)
                {
                    throw new BulkRebuildException(ReadModelShards.Composite, sequence, typeName, $"Event {sequence} ({typeName}) cannot be read: {x.Message}", x);
                }
                if (data is null) throw new BulkRebuildException(ReadModelShards.Composite, sequence, typeName, $"Event {sequence} ({typeName}) is null.");
            }
            else
            {
                // No member but the per-day count reads this type, and that count needs only the metadata.
                copy.SkipField();
            }
            read++;

            // Consecutive events often share a stream (a command appends several, an import whole streams): one lookup per run.
            if (streamId != lastStream)
            {
                lastStream = streamId;
                stream = streams.GetValueOrDefault(streamId, StreamEntry.Unknown);
            }
            daily?.Count(DailyActivityProjection.Day(timestamp), userName ?? "", AuditTypeNames.Logical(typeName), stream.Type, data, sequence);
            var sentBefore = prof.Send;
            if (data is not null)
            {
                var e = mapping!.Wrap(data);
                e.Sequence = sequence;
                e.Id = id;
                e.StreamId = streamId;
                e.Version = version;
                e.EventTypeName = typeName;
                e.Timestamp = timestamp;
                e.UserName = userName;
                foreach (var member in mapping.Folders)
                {
                    try
                    {
                        member.Fold(e);
                    }
                    // A cancel (by the caller, or by a failed writer while WalletTransaction waits to send) is not the event's fault.
                    catch (Exception x) when (x is not OperationCanceledException)
                    {
                        throw new BulkRebuildException(member.Name, sequence, typeName, $"{member.Name} cannot apply event {sequence} ({typeName}): {x.Message}", x);
                    }
                }
            }

            if ((version == stream.Version || stream.Ended) && ending.Length > 0) EndStream(streams, ref stream, streamId, version, ending, sequence, typeName);

            // A wait for the writer (the members' chunks, always timed) counts as that, not as folding.
            if (timed) prof.Fold += (Stopwatch.GetTimestamp() - t0 - (prof.Send - sentBefore)) * Sampled;
            if (read % ProgressEvery == 0)
            {
                ct.ThrowIfCancellationRequested();
                Report(progress, sequence, mark, read, read - stepStart, stepBytes, total, stepClock, clock);
                stepStart = read;
                stepBytes = 0;
            }
        }
        foreach (var member in members) member.FlushSink();
        if (read > stepStart) Report(progress, mark, mark, read, read - stepStart, stepBytes, total, stepClock, clock);
        return read;
    }

    /// <summary>A stream as the pass knows it from <c>mt_streams</c> in its snapshot: its type, and the version of its last event.</summary>
    internal readonly record struct StreamEntry(string Type, long Version)
    {
        /// <summary>The version of a stream whose last event is folded and whose rows are written.</summary>
        public const long EndedVersion = -1;

        /// <summary>A stream missing from <c>mt_streams</c>: no type, and never ended (its rows wait for the end of the pass).</summary>
        public static readonly StreamEntry Unknown = new("", long.MaxValue);

        public bool Ended => Version == EndedVersion;
    }

    /// <summary>
    /// At the stream's last event (its version in <c>mt_streams</c>) the members keyed by stream write its rows, and
    /// the stream is marked ended. An event of an ended stream (the stream table disagrees with the events) stops the
    /// rebuild rather than fold it into a row already written. Marten's tombstone stream (version 0, its events
    /// numbered by sequence) never ends.
    /// </summary>
    private static void EndStream(Dictionary<Guid, StreamEntry> streams, ref StreamEntry stream, Guid streamId, long version, Member[] ending, long sequence, string typeName)
    {
        if (stream.Ended)
            throw new BulkRebuildException(ReadModelShards.Composite, sequence, typeName,
                $"Event {sequence} ({typeName}) is version {version} of stream {streamId}, past the stream's version in mt_streams: the stream table disagrees with the events.");
        foreach (var member in ending) member.StreamEnded(streamId);
        stream = stream with { Version = StreamEntry.EndedVersion };
        streams[streamId] = stream;
    }

    /// <summary>The reading thread's profile times one event in this many.</summary>
    private const int Sampled = 8;

    /// <summary>What Marten stores as a document's <c>mt_version</c>: the stream version (one stream) or the event sequence (several).</summary>
    private enum Revision
    {
        Version,
        Sequence,
    }

    /// <summary>
    /// An event type the pass deserializes, the members that fold it (found once, not looked up per event), and one
    /// <c>Event&lt;T&gt;</c> reused for every event of the type: its constructor draws a random id (0.73 µs per event,
    /// measured apart), and no member keeps the event past its fold (they keep documents and numbers).
    /// </summary>
    private abstract class EventReader
    {
        public abstract Type Type { get; }

        public Member[] Folders { get; set; } = [];

        /// <summary>The type's one event, now carrying <paramref name="data"/>; its metadata is the caller's to set.</summary>
        public abstract IEvent Wrap(object data);

        /// <summary>The stored JSON as the event the members fold (an older version is upcast).</summary>
        public virtual object? Read(ReadOnlySpan<byte> json, JsonSerializerOptions options) => JsonSerializer.Deserialize(json, Type, options);

        public static EventReader For(Type type) => (EventReader)Activator.CreateInstance(typeof(EventReader<>).MakeGenericType(type))!;

        public static EventReader For(EventUpcast upcast)
        {
            var reader = (EventReader)Activator.CreateInstance(typeof(UpcastReader<>).MakeGenericType(upcast.NewType))!;
            ((IUpcastReader)reader).Upcast = upcast;
            return reader;
        }
    }

    private interface IUpcastReader
    {
        EventUpcast Upcast { set; }
    }

    private sealed class UpcastReader<T> : EventReader, IUpcastReader where T : notnull
    {
        private readonly EventReader<T> _inner = new();

        public EventUpcast Upcast { get; set; } = null!;

        public override Type Type => typeof(T);

        public override IEvent Wrap(object data) => _inner.Wrap(data);

        public override object? Read(ReadOnlySpan<byte> json, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize(json, Upcast.OldType, options) is { } old ? Upcast.Upcast(old) : null;
    }

    private sealed class EventReader<T> : EventReader where T : notnull
    {
        private Event<T>? _event;

        public override Type Type => typeof(T);

        public override IEvent Wrap(object data)
        {
            if (_event is null) _event = new Event<T>((T)data);
            else _event.Data = (T)data;
            return _event;
        }
    }

    private static void Report(IProgress<RebuildProgress>? progress, long position, long mark, long read, long step, long bytes, long total, Stopwatch stepClock, Stopwatch clock)
    {
        var stepMs = stepClock.Elapsed.TotalMilliseconds;
        stepClock.Restart();
        if (progress is null) return;
        var rate = read / Math.Max(clock.Elapsed.TotalSeconds, 1e-6);
        var percent = total == 0 ? 100 : Math.Min(100, 100.0 * read / total);
        // The MiB are the events' JSON the pass deserialized in the step (events no read model reads are not counted).
        progress.Report(new RebuildProgress(ReadModelShards.Composite, position, mark, step, bytes / (1024.0 * 1024.0), stepMs,
            read, rate, percent, rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, total - read) / rate) : null));
    }

    private static JsonSerializerOptions JsonOptions(ISerializer serializer)
    {
        // Marten's own options (casing, enums as strings), so documents and events read and write as Marten's do.
        JsonSerializerOptions? captured = null;
        if (serializer is SystemTextJsonSerializer stj) stj.Configure(o => captured = o);
        return captured ?? throw new InvalidOperationException("The bulk rebuild needs Marten's System.Text.Json serializer.");
    }

    /// <summary>
    /// The highest sequence below which no event can still appear: the largest committed one, once every transaction
    /// that was open when the snapshot was taken has ended (with Quick append a sequence number is taken inside the
    /// insert, so any transaction that could still commit a lower number is one of those). If one of them committed
    /// an event at or below that sequence, the snapshot missed it, and the rebuild says so rather than miss it.
    /// </summary>
    private async Task<long> GapFreeMarkAsync(NpgsqlConnection reader, string eventsSchema, CancellationToken ct)
    {
        var max = await reader.ScalarAsync<long>($"select coalesce(max(seq_id), 0) from {eventsSchema}.mt_events", ct);
        var open = new List<long>();
        await using (var cmd = new NpgsqlCommand("select pg_snapshot_xip(pg_current_snapshot())::text::bigint", reader))
        await using (var rows = await cmd.ExecuteReaderAsync(ct))
            while (await rows.ReadAsync(ct)) open.Add(rows.GetInt64(0));
        if (open.Count == 0) return max;

        var seen = await reader.ScalarAsync<long>($"select count(*) from {eventsSchema}.mt_events where seq_id <= @max", ct, ("max", max));
        await using var probe = await store.OpenConnectionAsync(ct);
        var waited = Stopwatch.StartNew();
        while (await probe.ScalarAsync<bool>("select exists (select 1 from unnest(@open::bigint[]) x where pg_xact_status(x::text::xid8) = 'in progress')", ct, ("open", open.ToArray())))
        {
            // A transaction that stays open this long is not an append in flight; say so rather than wait forever.
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
                throw new BulkRebuildException(ReadModelShards.Composite, null, null, "A transaction open before the rebuild has not ended within 30 s; the rebuild cannot fix its mark.");
            await Task.Delay(10, ct);
        }
        var committed = await probe.ScalarAsync<long>($"select count(*) from {eventsSchema}.mt_events where seq_id <= @max", ct, ("max", max));
        if (committed != seen)
            throw new BulkRebuildException(ReadModelShards.Composite, null, null,
                "Events below the rebuild's mark were committed after its snapshot; start the rebuild again.");
        return max;
    }

    private List<Member> Members(string schema, JsonSerializerOptions json)
    {
        var composite = Options.Projections.All.OfType<Marten.Events.Projections.CompositeProjection>().SingleOrDefault(p => p.Name == ReadModelShards.Composite)
                        ?? throw new InvalidOperationException($"The store has no composite projection {ReadModelShards.Composite}.");
        var known = composite.AllProjections().OfType<JasperFx.Events.Projections.ProjectionBase>().Select(p => p.Name).ToHashSet();
        // From the catalog: every read model declares its member there.
        var unknown = known.Except(ReadModelCatalog.All.Select(e => e.Name)).ToArray();
        if (unknown.Length > 0)
            throw new InvalidOperationException($"The bulk rebuild does not know the read model(s) {string.Join(", ", unknown)}: add them to {nameof(ReadModelCatalog)}.");
        var context = new MemberContext(store, schema, json, composite);
        var members = ReadModelCatalog.All.Where(e => known.Contains(e.Name)).Select(e => e.Bulk(context)).ToList();
        foreach (var member in members) member.Bind();
        return members;
    }

    private static T Find<T>(Marten.Events.Projections.CompositeProjection composite) where T : class =>
        composite.AllProjections().OfType<T>().SingleOrDefault() ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the composite.");
}
