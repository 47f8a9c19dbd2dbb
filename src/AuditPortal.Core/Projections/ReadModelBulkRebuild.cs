using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using AuditPortal.Core.Jobs;
using AuditPortal.Core.Overview;
using AuditPortal.Core.Wallets;
using JasperFx.Events;
using JasperFx.Events.Aggregation;
using Marten;
using Marten.Events;
using Marten.Services;
using Npgsql;
using NpgsqlTypes;

namespace AuditPortal.Core.Projections;

/// <summary>An event a bulk rebuild could not read or apply: the rebuild stops there and changes nothing.</summary>
public sealed class BulkRebuildException(string readModel, long? sequence, string? eventType, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public string ReadModel { get; } = readModel;
    public long? Sequence { get; } = sequence;
    public string? EventType { get; } = eventType;
}

/// <summary>What a bulk rebuild did: the mark it rebuilt to, the events it read, and how many each read model applied.</summary>
public sealed record BulkRebuildResult(
    long HighWaterMark, long EventsRead, IReadOnlyDictionary<string, long> EventsByReadModel, TimeSpan Elapsed, IReadOnlyList<BulkRebuildPhase> Phases);

/// <summary>One step of a bulk rebuild and how long it took: what bounds the rebuild, for the benchmark's profile.</summary>
public sealed record BulkRebuildPhase(string Name, TimeSpan Elapsed);

/// <summary>
/// Rebuilds every member of the <see cref="ReadModelShards.Composite"/> composite in one pass without the daemon. The
/// events stream out of <c>mt_events</c> by binary COPY (one snapshot, up to a gap-free mark); each is deserialized
/// once with the store's serializer and folded by the members' own code (the aggregations' generated <c>Evolve</c>,
/// i.e. their Create/Apply methods; <see cref="AccountProjection.Change"/>, <see cref="DailyActivityProjection.Amount"/>,
/// <see cref="WalletTransactionProjection.ToTransaction"/>). The new rows go in by binary COPY. One transaction
/// truncates the tables, refills them and moves every progression row to the mark: readers wait on the tables' locks
/// for the length of the rebuild and then see the new rows, and the daemon carries on from the mark.
/// </summary>
/// <remarks>
/// Why not the daemon: its composite pass was bounded by the members' per-batch SQL and per-document upserts
/// (0.27–0.35× one bare Marten projection for six read models). Here one thread reads and folds while the writing
/// connection copies the per-event rows in; only the aggregated rows (one per wallet, job, participant, day) are kept
/// in memory until the end.
/// </remarks>
public sealed class ReadModelBulkRebuild(IDocumentStore store)
{
    /// <summary>Events per progress step.</summary>
    public int ProgressEvery { get; init; } = 50_000;

    /// <summary>Taken for the rebuild's transaction: one bulk rebuild at a time across every node of the database.</summary>
    public const long AdvisoryLockKey = 0x4150_5242_5244_4D31; // "APRBRDM1"

    private const int TransactionChunk = 2_000;

    private StoreOptions Options => (StoreOptions)store.Options;

    /// <summary>Where the reading and the writing thread spend their time (Stopwatch ticks), reported as phases.</summary>
    private sealed class Profile
    {
        public long Io, Deserialize, Fold, Send, WriterWait, Serialize, Write;

        public IEnumerable<BulkRebuildPhase> Phases() =>
            new[] { ("reader: Npgsql reads", Io), ("reader: deserialize", Deserialize), ("reader: fold", Fold), ("reader: waits for the writer", Send),
                    ("writer: waits for the reader", WriterWait), ("writer: serialize", Serialize), ("writer: Npgsql writes", Write) }
                .Select(p => new BulkRebuildPhase(p.Item1, Stopwatch.GetElapsedTime(0, p.Item2)));
    }

    public async Task<BulkRebuildResult> RunAsync(IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
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

        foreach (var type in new[] { typeof(WalletSummary), typeof(WalletTransaction), typeof(JobOwnerView), typeof(JobParticipantView) })
            await store.Storage.Database.EnsureStorageExistsAsync(type, ct);

        await using var writer = await OpenAsync(ct);
        await using var tx = await writer.BeginTransactionAsync(ct);
        if (!await ScalarAsync<bool>(writer, "select pg_try_advisory_xact_lock($1)", ct, AdvisoryLockKey))
            throw new BulkRebuildException(ReadModelShards.Composite, null, null, "Another rebuild of the read models is running (on this node or another).");
        foreach (var member in members) await member.CheckColumnsAsync(writer, ct);

        // The snapshot and its mark come before the truncate, so waiting for the transactions open at the snapshot never
        // waits for one that is itself waiting for the truncate's locks.
        await using var reader = await OpenAsync(ct);
        await using var snapshot = await reader.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var mark = await GapFreeMarkAsync(reader, eventsSchema, ct);
        // The pass reads in sequence order; sorting a million events' JSON spills to disk, walking the key's index does not.
        await ExecAsync(reader, "set local enable_sort = off", ct);
        // The truncate's exclusive locks wait for a daemon batch writing now (on another node) and hold off the next one
        // until the commit, whose progression check then fails against the new mark.
        await ExecAsync(writer, $"truncate {string.Join(", ", members.Select(m => m.Table))}", ct);
        // Building an index once over the new rows costs a fraction of keeping it up to date row by row (WalletSummary's
        // nine secondary indexes, a trigram one among them, made its copy 6 s of a 32 s rebuild; the per-event table's
        // key takes 840,000 random inserts). Keys come back as the same constraints and check the new rows; the
        // transaction restores everything if the rebuild fails.
        // Through the schema owner's functions, which run only the statements the apply step recorded: the runtime role
        // owns no table, so it may not drop an index itself. A database the apply step has not seen keeps its indexes.
        var tables = members.Select(m => m.Table[(m.Table.IndexOf('.') + 1)..]).ToArray();
        var dropped = await ReadModelIndexes.AvailableAsync(writer, schema, ct) ? await ReadModelIndexes.DropAsync(writer, schema, tables, ct) : 0;
        var total = await ScalarAsync<long>(reader, $"select count(*) from {eventsSchema}.mt_events where seq_id <= $1", ct, mark);
        var streamTypes = new Dictionary<Guid, string>();
        await using (var cmd = new NpgsqlCommand($"select id, coalesce(type, '') from {eventsSchema}.mt_streams", reader))
        await using (var rows = await cmd.ExecuteReaderAsync(ct))
            while (await rows.ReadAsync(ct)) streamTypes[rows.GetGuid(0)] = rows.GetString(1);

        Phase("lock, mark and truncate");

        // Per-event rows leave while the pass goes on, on the rebuild's transaction.
        var transactions = members.OfType<TransactionMember>().Single();
        var chunks = Channel.CreateBounded<WalletTransaction[]>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var write = Task.Run(() =>
        {
            try
            {
                transactions.Copy(writer, chunks.Reader, profile, stop.Token);
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
            read = await Task.Run(() => ReadAndFold(reader, eventsSchema, mark, total, typed, streamTypes, members, json, profile, chunks.Writer, progress, clock, stop.Token),
                CancellationToken.None);
            Phase("read, deserialize and fold every event");
            chunks.Writer.Complete();
            await write;
            Phase($"finish copying {transactions.Name}");
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

        foreach (var member in members)
        {
            try
            {
                member.CopyFolded(writer, ct);
                if (member is not TransactionMember) Phase($"copy {member.Name}");
            }
            catch (Exception x) when (x is not OperationCanceledException)
            {
                throw new BulkRebuildException(member.Name, null, null, $"Writing {member.Name} failed: {x.Message}", x);
            }
        }

        if (dropped > 0)
        {
            await ExecAsync(writer, "set local maintenance_work_mem = '128MB'", ct);
            Phase($"build {await ReadModelIndexes.CreateAsync(writer, schema, tables, ct)} indexes and keys");
        }

        var names = new[] { ReadModelShards.CompositeShard }.Concat(members.Select(m => $"{m.Name}:All")).ToArray();
        await ExecAsync(writer,
            $"insert into {eventsSchema}.mt_event_progression (name, last_seq_id, last_updated) select n, $2, transaction_timestamp() from unnest($1::text[]) as n " +
            "on conflict (name) do update set last_seq_id = excluded.last_seq_id, last_updated = excluded.last_updated", ct, names, mark);
        await tx.CommitAsync(ct);
        Phase("progression and commit");
        phases.AddRange(profile.Phases());
        return new BulkRebuildResult(mark, read, members.ToDictionary(m => m.Name, m => m.Applied), clock.Elapsed, phases);
    }

    private long ReadAndFold(
        NpgsqlConnection reader, string eventsSchema, long mark, long total, Dictionary<string, EventReader> typed, Dictionary<Guid, string> streamTypes,
        List<Member> members, JsonSerializerOptions json, Profile prof, ChannelWriter<WalletTransaction[]> chunks, IProgress<RebuildProgress>? progress, Stopwatch clock, CancellationToken ct)
    {
        long read = 0;
        var daily = members.OfType<DailyMember>().SingleOrDefault();
        var transactions = members.OfType<TransactionMember>().Single();
        var folding = members.Where(m => m is not DailyMember).ToArray();
        var chunk = new List<WalletTransaction>(TransactionChunk);
        var stepClock = Stopwatch.StartNew();
        long stepStart = 0;
        long stepBytes = 0;
        using var copy = reader.BeginBinaryExport(
            $"copy (select seq_id, id, stream_id, version, type, timestamp, user_name, data from {eventsSchema}.mt_events " +
            $"where seq_id <= {mark} order by seq_id) to stdout (format binary)");
        var t0 = Stopwatch.GetTimestamp();
        while (copy.StartRow() != -1)
        {
            var sequence = copy.Read<long>(NpgsqlDbType.Bigint);
            var id = copy.Read<Guid>(NpgsqlDbType.Uuid);
            var streamId = copy.Read<Guid>(NpgsqlDbType.Uuid);
            var version = copy.Read<long>(NpgsqlDbType.Bigint);
            var typeName = copy.Read<string>(NpgsqlDbType.Varchar);
            var timestamp = copy.Read<DateTimeOffset>(NpgsqlDbType.TimestampTz);
            string? userName = null;
            if (copy.IsNull) copy.Skip(); else userName = copy.Read<string>(NpgsqlDbType.Varchar);
            object? data = null;
            if (typed.TryGetValue(typeName, out var mapping))
            {
                var bytes = copy.Read<byte[]>(NpgsqlDbType.Jsonb);
                stepBytes += bytes.Length;
                var t1 = Stopwatch.GetTimestamp();
                prof.Io += t1 - t0;
                t0 = t1;
                try
                {
                    data = JsonSerializer.Deserialize(bytes, mapping.Type, json);
                    t1 = Stopwatch.GetTimestamp();
                    prof.Deserialize += t1 - t0;
                    t0 = t1;
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
                copy.Skip();
            }
            read++;

            daily?.Count(DailyActivityProjection.Day(timestamp), userName ?? "", typeName, streamTypes.GetValueOrDefault(streamId, ""),
                DailyActivityProjection.Amount(data), sequence);
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
                foreach (var member in folding)
                {
                    if (!member.Uses(e)) continue;
                    try
                    {
                        member.Fold(e);
                    }
                    catch (Exception x)
                    {
                        throw new BulkRebuildException(member.Name, sequence, typeName, $"{member.Name} cannot apply event {sequence} ({typeName}): {x.Message}", x);
                    }
                }
                if (transactions.Take() is { } t)
                {
                    chunk.Add(t);
                    if (chunk.Count == TransactionChunk)
                    {
                        var t2 = Stopwatch.GetTimestamp();
                        prof.Fold += t2 - t0;
                        t0 = t2;
                        Send(chunks, chunk, ct);
                        t2 = Stopwatch.GetTimestamp();
                        prof.Send += t2 - t0;
                        t0 = t2;
                        chunk = new List<WalletTransaction>(TransactionChunk);
                    }
                }
            }

            var t3 = Stopwatch.GetTimestamp();
            prof.Fold += t3 - t0;
            t0 = t3;
            if (read % ProgressEvery == 0)
            {
                ct.ThrowIfCancellationRequested();
                Report(progress, sequence, mark, read, read - stepStart, stepBytes, total, stepClock, clock);
                stepStart = read;
                stepBytes = 0;
            }
        }
        if (chunk.Count > 0) Send(chunks, chunk, ct);
        if (read > stepStart) Report(progress, mark, mark, read, read - stepStart, stepBytes, total, stepClock, clock);
        return read;
    }

    /// <summary>What Marten stores as a document's <c>mt_version</c>: the stream version (one stream) or the event sequence (several).</summary>
    private enum Revision
    {
        Version,
        Sequence,
    }

    /// <summary>An event type the pass deserializes, and how it wraps one (Marten's own Wrap was 15% of the reading thread).</summary>
    private sealed record EventReader(Type Type, Func<object, IEvent> Wrap)
    {
        public static EventReader For(Type type) =>
            new(type, typeof(EventReader).GetMethod(nameof(WrapAs), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(type).CreateDelegate<Func<object, IEvent>>());

        private static IEvent WrapAs<T>(object data) where T : notnull => new Event<T>((T)data);
    }

    private static void Send(ChannelWriter<WalletTransaction[]> chunks, List<WalletTransaction> chunk, CancellationToken ct)
    {
        var items = chunk.ToArray();
        while (!chunks.TryWrite(items))
            chunks.WaitToWriteAsync(ct).AsTask().GetAwaiter().GetResult();
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
        var max = await ScalarAsync<long>(reader, $"select coalesce(max(seq_id), 0) from {eventsSchema}.mt_events", ct);
        var open = new List<long>();
        await using (var cmd = new NpgsqlCommand("select pg_snapshot_xip(pg_current_snapshot())::text::bigint", reader))
        await using (var rows = await cmd.ExecuteReaderAsync(ct))
            while (await rows.ReadAsync(ct)) open.Add(rows.GetInt64(0));
        if (open.Count == 0) return max;

        var seen = await ScalarAsync<long>(reader, $"select count(*) from {eventsSchema}.mt_events where seq_id <= $1", ct, max);
        await using var probe = await OpenAsync(ct);
        var waited = Stopwatch.StartNew();
        while (await ScalarAsync<bool>(probe, "select exists (select 1 from unnest($1::bigint[]) x where pg_xact_status(x::text::xid8) = 'in progress')", ct, open.ToArray()))
        {
            // A transaction that stays open this long is not an append in flight; say so rather than wait forever.
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
                throw new BulkRebuildException(ReadModelShards.Composite, null, null, "A transaction open before the rebuild has not ended within 30 s; the rebuild cannot fix its mark.");
            await Task.Delay(10, ct);
        }
        var committed = await ScalarAsync<long>(probe, $"select count(*) from {eventsSchema}.mt_events where seq_id <= $1", ct, max);
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
        var candidates = new List<Member>
        {
            new AccountMember($"{schema}.{AccountProjection.TableName}"),
            new AggregateMember<WalletSummary, Guid>(nameof(WalletSummary), () => Find<WalletSummaryProjection>(composite), store.Options.Schema.For<WalletSummary>(), json,
                e => e.StreamId, null, Revision.Version, [("balance", NpgsqlDbType.Integer, s => s.Balance)]),
            new TransactionMember(store.Options.Schema.For<WalletTransaction>(), json),
            new AggregateMember<JobOwnerView, Guid>(nameof(JobOwnerView), () => Find<JobOwnerViewProjection>(composite), store.Options.Schema.For<JobOwnerView>(), json,
                e => e.StreamId, null, Revision.Version, []),
            new AggregateMember<JobParticipantView, string>(nameof(JobParticipantView), () => Find<JobParticipantViewProjection>(composite), store.Options.Schema.For<JobParticipantView>(), json,
                null, e => JobParticipantViewProjection.Keys(e.Data), Revision.Sequence, []),
            new DailyMember($"{schema}.{DailyActivityProjection.TableName}"),
        };
        // A new member of the composite must be taught here; the equality test against the daemon says when it is not.
        var unknown = known.Except(candidates.Select(m => m.Name)).ToArray();
        if (unknown.Length > 0)
            throw new InvalidOperationException($"The bulk rebuild does not know the read model(s) {string.Join(", ", unknown)}: add them to {nameof(ReadModelBulkRebuild)}.");
        // The overview's daily counts join the composite only where the host registers the overview.
        var members = candidates.Where(m => known.Contains(m.Name)).ToList();
        foreach (var member in members) member.Bind();
        return members;
    }

    private static T Find<T>(Marten.Events.Projections.CompositeProjection composite) where T : class =>
        composite.AllProjections().OfType<T>().SingleOrDefault() ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the composite.");

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var conn = new NpgsqlConnection(Options.Tenancy.Default.Database.CreateConnection().ConnectionString);
        await conn.OpenAsync(ct);
        return conn;
    }

    private static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct, params object[] args)
    {
        // No timeout: a rebuild's statements take as long as the history is big; the token cancels them.
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection conn, string sql, CancellationToken ct, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        return (T)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>One read model of the composite, as the pass feeds it.</summary>
    private abstract class Member(string name, string table, string[] columns)
    {
        private readonly HashSet<Type> _uses = [];

        public string Name { get; } = name;
        public string Table { get; } = table;
        public IReadOnlyCollection<Type> EventTypes => _uses;
        public long Applied { get; protected set; }

        /// <summary>Called once the member is known to be in the composite.</summary>
        public virtual void Bind() { }

        protected void Uses(IEnumerable<Type> types) => _uses.UnionWith(types);

        /// <summary>The columns the rebuild writes; any other column must have a default, or the rebuild would leave it wrong.</summary>
        private string[] Columns { get; } = columns;

        public bool Uses(IEvent e) => _uses.Contains(e.EventType);

        public virtual void Fold(IEvent e) { }

        public virtual void CopyFolded(NpgsqlConnection conn, CancellationToken ct) { }

        protected string CopyCommand => $"copy {Table} ({string.Join(", ", Columns)}) from stdin (format binary)";

        public async Task CheckColumnsAsync(NpgsqlConnection conn, CancellationToken ct)
        {
            var dot = Table.IndexOf('.');
            await using var cmd = new NpgsqlCommand(
                "select column_name from information_schema.columns where table_schema = $1 and table_name = $2 and column_default is null and not (column_name = any($3))", conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = Table[..dot] });
            cmd.Parameters.Add(new NpgsqlParameter { Value = Table[(dot + 1)..] });
            cmd.Parameters.Add(new NpgsqlParameter { Value = Columns });
            var missing = new List<string>();
            await using var rows = await cmd.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct)) missing.Add(rows.GetString(0));
            if (missing.Count > 0)
                throw new InvalidOperationException(
                    $"The bulk rebuild writes {string.Join(", ", Columns)} of {Table}, which also has {string.Join(", ", missing)} (a duplicated field?): teach {nameof(ReadModelBulkRebuild)} to write it.");
        }
    }

    /// <summary>account_projection: <see cref="AccountProjection.Change"/> per event, summed per wallet as its SQL does.</summary>
    private sealed class AccountMember(string table)
        : Member(AccountProjection.ProjectionName, table, ["aggregate_id", "credits", "owner", "last_changed_at", "last_sequence"])
    {
        public override void Bind() => Uses([typeof(WalletOpened), typeof(CreditsGranted), typeof(CreditsSpent)]);

        private readonly Dictionary<Guid, Row> _rows = [];

        public override void Fold(IEvent e)
        {
            if (AccountProjection.Change(e.Data) is not { } change) return;
            Applied++;
            if (!_rows.TryGetValue(e.StreamId, out var row)) _rows[e.StreamId] = row = new Row();
            row.Credits = checked(row.Credits + change.Delta);
            row.Owner = change.Owner ?? row.Owner;
            row.LastChangedAt = change.At;
            row.LastSequence = e.Sequence;
        }

        public override void CopyFolded(NpgsqlConnection conn, CancellationToken ct)
        {
            using var import = conn.BeginBinaryImport(CopyCommand);
            foreach (var (id, row) in _rows)
            {
                ct.ThrowIfCancellationRequested();
                import.StartRow();
                import.Write(id, NpgsqlDbType.Uuid);
                import.Write(row.Credits, NpgsqlDbType.Integer);
                if (row.Owner is null) import.WriteNull(); else import.Write(row.Owner, NpgsqlDbType.Text);
                import.Write(row.LastChangedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                import.Write(row.LastSequence, NpgsqlDbType.Bigint);
            }
            import.Complete();
            _rows.Clear();
        }

        private sealed class Row
        {
            public int Credits;
            public string? Owner;
            public DateTimeOffset LastChangedAt;
            public long LastSequence;
        }
    }

    /// <summary>overview_daily_activity: every event counted per UTC day, actor, event type and stream type, as its SQL does.</summary>
    private sealed class DailyMember(string table)
        : Member(DailyActivityProjection.ProjectionName, table, ["day", "user_name", "event_type", "stream_type", "events", "amount", "last_sequence"])
    {
        private readonly Dictionary<(DateOnly Day, string User, string Type, string StreamType), Row> _rows = [];

        public void Count(DateOnly day, string user, string type, string streamType, long amount, long sequence)
        {
            Applied++;
            ref var row = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_rows, (day, user, type, streamType), out _);
            row.Events++;
            row.Amount += amount;
            row.LastSequence = sequence;
        }

        public override void CopyFolded(NpgsqlConnection conn, CancellationToken ct)
        {
            using var import = conn.BeginBinaryImport(CopyCommand);
            foreach (var (key, row) in _rows)
            {
                import.StartRow();
                import.Write(key.Day, NpgsqlDbType.Date);
                import.Write(key.User, NpgsqlDbType.Text);
                import.Write(key.Type, NpgsqlDbType.Text);
                import.Write(key.StreamType, NpgsqlDbType.Text);
                import.Write(row.Events, NpgsqlDbType.Bigint);
                import.Write(row.Amount, NpgsqlDbType.Bigint);
                import.Write(row.LastSequence, NpgsqlDbType.Bigint);
            }
            import.Complete();
            _rows.Clear();
        }

        private struct Row
        {
            public long Events;
            public long Amount;
            public long LastSequence;
        }
    }

    /// <summary>mt_doc_wallettransaction: one document per grant or spend (<see cref="WalletTransactionProjection.ToTransaction"/>), copied in as the pass goes.</summary>
    private sealed class TransactionMember(string table, JsonSerializerOptions json)
        : Member(WalletTransactionProjection.ProjectionName, table, ["id", "data", "mt_dotnet_type", "mt_version"])
    {
        public override void Bind() => Uses([typeof(CreditsGranted), typeof(CreditsSpent)]);

        private static readonly string DotNetType = $"{typeof(WalletTransaction).FullName}, {typeof(WalletTransaction).Assembly.GetName().Name}";
        private WalletTransaction? _last;

        public override void Fold(IEvent e)
        {
            _last = WalletTransactionProjection.ToTransaction(e);
            if (_last is not null) Applied++;
        }

        /// <summary>The document the last folded event made, once.</summary>
        public WalletTransaction? Take()
        {
            var t = _last;
            _last = null;
            return t;
        }

        public void Copy(NpgsqlConnection conn, ChannelReader<WalletTransaction[]> chunks, Profile prof, CancellationToken ct)
        {
            using var import = conn.BeginBinaryImport(CopyCommand);
            var w0 = Stopwatch.GetTimestamp();
            while (chunks.WaitToReadAsync(ct).AsTask().GetAwaiter().GetResult())
            {
                var w1 = Stopwatch.GetTimestamp();
                prof.WriterWait += w1 - w0;
                w0 = w1;
                while (chunks.TryRead(out var chunk))
                {
                    foreach (var t in chunk)
                    {
                        var bytes = JsonSerializer.SerializeToUtf8Bytes(t, json);
                        w1 = Stopwatch.GetTimestamp();
                        prof.Serialize += w1 - w0;
                        w0 = w1;
                        import.StartRow();
                        import.Write(t.Id, NpgsqlDbType.Uuid);
                        import.Write(bytes, NpgsqlDbType.Jsonb);
                        import.Write(DotNetType, NpgsqlDbType.Varchar);
                        // Marten's column default (an md5 of a random number and the clock, per row) cost PostgreSQL
                        // 2.5 s of the 840,000 rows; the value is only a random marker of the row's version either way.
                        import.Write(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                        w1 = Stopwatch.GetTimestamp();
                        prof.Write += w1 - w0;
                        w0 = w1;
                    }
                }
            }
            import.Complete();
        }
    }

    /// <summary>
    /// A Marten aggregation (single- or multi-stream): its own generated <c>Evolve</c> (Create/Apply) per event, its
    /// metadata and version from the last event, as the daemon stores them.
    /// </summary>
    private sealed class AggregateMember<TDoc, TId>(
        string name, Func<JasperFxAggregationProjectionBase<TDoc, TId, IDocumentOperations, IQuerySession>> find, string table, JsonSerializerOptions json,
        Func<IEvent, TId>? id, Func<IEvent, IReadOnlyList<TId>>? ids, Revision revision, (string Column, NpgsqlDbType Type, Func<TDoc, object> Value)[] duplicated)
        : Member(name, table, ["id", "data", "mt_dotnet_type", "mt_version", .. duplicated.Select(d => d.Column)])
        where TDoc : class where TId : notnull
    {
        /// <summary>
        /// Only the document and two numbers of its last event stay: keeping the event itself alive until the stream's
        /// next one kept most events past a collection, and the collector's work was most of the pass.
        /// </summary>
        private readonly Dictionary<TId, Folded> _docs = [];
        private JasperFxAggregationProjectionBase<TDoc, TId, IDocumentOperations, IQuerySession> projection = null!;

        private Func<TDoc?, TId, IEvent, TDoc?> _evolve = null!;

        public override void Bind()
        {
            projection = find();
            Uses(projection.AllEventTypes);
            _evolve = GeneratedEvolver(projection) is { } generated ? generated.Evolve : projection.Evolve;
        }

        /// <summary>
        /// The Create/Apply dispatch Marten's source generator wrote for this projection (registered by an assembly
        /// attribute), the same one the daemon calls; null when the projection overrides <c>Evolve</c> itself.
        /// </summary>
        private static IGeneratedSyncEvolver<TDoc, TId>? GeneratedEvolver(object projection)
        {
            var evolverType = new[] { typeof(TDoc).Assembly, projection.GetType().Assembly }.Distinct()
                .SelectMany(a => a.GetCustomAttributesData())
                .Where(a => a.AttributeType == typeof(GeneratedEvolverAttribute) && a.ConstructorArguments.Count == 3
                            && (Type?)a.ConstructorArguments[2].Value == projection.GetType())
                .Select(a => (Type?)a.ConstructorArguments[1].Value).FirstOrDefault();
            if (evolverType is null) return null;
            var instance = evolverType.GetConstructor([projection.GetType()]) is { } withProjection
                ? withProjection.Invoke([projection])
                : Activator.CreateInstance(evolverType);
            return instance as IGeneratedSyncEvolver<TDoc, TId>;
        }

        /// <summary>
        /// Marten's convention, applied by its document storage rather than the projection: an aggregate's public
        /// <c>Version</c> (int or long) holds the version of the last event applied to it.
        /// </summary>
        private static readonly Action<TDoc, long>? SetVersion = typeof(TDoc).GetProperty("Version") switch
        {
            { CanWrite: true } p when p.PropertyType == typeof(long) => (d, v) => p.SetValue(d, v),
            { CanWrite: true } p when p.PropertyType == typeof(int) => (d, v) => p.SetValue(d, checked((int)v)),
            _ => null,
        };

        public override void Fold(IEvent e)
        {
            if (id is not null)
            {
                FoldInto(id(e), e);
                return;
            }
            foreach (var one in ids!(e)) FoldInto(one, e);
        }

        private void FoldInto(TId key, IEvent e)
        {
            ref var folded = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_docs, key, out var exists);
            var current = folded?.Doc;
            var next = _evolve(current, key, e);
            if (next is null)
            {
                if (!exists) _docs.Remove(key);
                // Deletes are not part of these read models; a rebuild that met one would silently differ from the daemon.
                if (current is not null) throw new NotSupportedException($"Deleting a {typeof(TDoc).Name} is not supported by the bulk rebuild.");
                return;
            }
            // Marten stamps an aggregate's metadata (if it maps any) from the last event applied.
            next = projection.ApplyMetadata(next, e);
            folded ??= new Folded();
            if (!ReferenceEquals(folded.Doc, next)) folded.Doc = next;
            folded.Version = e.Version;
            folded.Revision = revision == Revision.Version ? e.Version : e.Sequence;
            Applied++;
        }

        private sealed class Folded
        {
            public TDoc Doc = null!;
            public long Version;
            public long Revision;
        }

        public override void CopyFolded(NpgsqlConnection conn, CancellationToken ct)
        {
            var dotNetType = typeof(TDoc).FullName!;
            using var import = conn.BeginBinaryImport(CopyCommand);
            foreach (var (key, folded) in _docs)
            {
                ct.ThrowIfCancellationRequested();
                var stamped = folded.Doc;
                SetVersion?.Invoke(stamped, folded.Version);
                import.StartRow();
                if (key is Guid guid) import.Write(guid, NpgsqlDbType.Uuid); else import.Write(key.ToString()!, NpgsqlDbType.Varchar);
                import.Write(JsonSerializer.SerializeToUtf8Bytes(stamped, json), NpgsqlDbType.Jsonb);
                import.Write(dotNetType, NpgsqlDbType.Varchar);
                import.Write(folded.Revision, NpgsqlDbType.Bigint);
                foreach (var d in duplicated) import.Write(d.Value(stamped), d.Type);
            }
            import.Complete();
            _docs.Clear();
        }
    }
}
