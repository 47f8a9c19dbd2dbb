using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using AuditPortal.Core.Overview;
using JasperFx.Events.Aggregation;

namespace AuditPortal.Core.Projections;

/// <summary>The read models as the bulk pass feeds them: what each folds per event and how it copies its rows in.</summary>
public sealed partial class ReadModelBulkRebuild
{
    /// <summary>One read model of the composite, as the pass feeds it.</summary>
    internal abstract class Member(string name, string table, string[] columns)
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

        public virtual void Fold(IEvent e) { }

        /// <summary>Whether the member keeps rows in memory (one per wallet, job, participant, day) to copy in after the pass.</summary>
        public virtual bool HasFolded => false;

        /// <summary>
        /// Encodes the rows folded in memory into <paramref name="sink"/>'s bounded chunks, which the writer sends while
        /// the next are encoded, and lets the rows go: never the whole COPY stream in memory (500,000 wallets' documents
        /// were 300 MB and more of encoded rows beside the documents themselves).
        /// </summary>
        public virtual void EncodeFolded(ChunkSink sink, CancellationToken ct) { }

        /// <summary>
        /// Where the member's rows go while the pass reads: the per-event rows, and the rows whose stream has ended
        /// (<see cref="StreamEnded"/>).
        /// </summary>
        public void SendTo(ChunkSink sink) => Sink = sink;

        protected ChunkSink Sink { get; private set; } = null!;

        /// <summary>Sends the rows written to <see cref="Sink"/> so far (the pass has read its last event).</summary>
        public void FlushSink() => Sink?.Flush();

        /// <summary>
        /// Whether the member's rows are one per stream, each final once its stream's last event (its version in
        /// <c>mt_streams</c>, read in the pass's snapshot) is folded: then it is written at once rather than kept until
        /// the end of the pass.
        /// </summary>
        public virtual bool EndsWithStream => false;

        /// <summary>Whether the member sends rows to <see cref="Sink"/> while the pass reads (per event, or as streams end).</summary>
        public virtual bool WritesDuringPass => EndsWithStream;

        /// <summary>The stream's last event is folded: its row, if the member has one, goes to <see cref="Sink"/> now.</summary>
        public virtual void StreamEnded(Guid stream) { }

        /// <summary>Writes the row folded under <paramref name="key"/>, if there is one, and lets it go.</summary>
        protected static void WriteRow<TKey, TRow>(Dictionary<TKey, TRow> rows, TKey key, ChunkSink sink, Action<ChunkSink, TKey, TRow> encode) where TKey : notnull
        {
            if (rows.Remove(key, out var row)) encode(sink, key, row);
        }

        /// <summary>Writes every row still folded and lets them all go.</summary>
        protected static void WriteRows<TKey, TRow>(ref Dictionary<TKey, TRow> rows, ChunkSink sink, CancellationToken ct, Action<ChunkSink, TKey, TRow> encode) where TKey : notnull
        {
            foreach (var (key, row) in rows)
            {
                ct.ThrowIfCancellationRequested();
                encode(sink, key, row);
            }
            rows = [];
        }

        // Into the shadow: readers keep the table until the switch.
        public string CopyCommand => $"copy {Table}{ReadModelIndexes.ShadowSuffix} ({string.Join(", ", Columns)}) from stdin (format binary)";

        public async Task CheckColumnsAsync(NpgsqlConnection conn, CancellationToken ct)
        {
            var dot = Table.IndexOf('.');
            var missing = await conn.QueryAsync(
                "select column_name from information_schema.columns where table_schema = @schema and table_name = @table and column_default is null and not (column_name = any(@columns))",
                r => r.GetString(0), ct, ("schema", Table[..dot]), ("table", Table[(dot + 1)..]), ("columns", Columns));
            if (missing.Count > 0)
                throw new InvalidOperationException(
                    $"The bulk rebuild writes {string.Join(", ", Columns)} of {Table}, which also has {string.Join(", ", missing)} (a duplicated field?): teach {nameof(ReadModelBulkRebuild)} to write it.");
        }
    }

    /// <summary>
    /// Copies the chunks in as they come, each into its member's shadow table: one COPY (between the format's header and
    /// trailer) per run of one member's chunks. Nothing half-sent is taken as a table's rows: a failure cancels the COPY
    /// in progress.
    /// </summary>
    /// <remarks>
    /// Ending a COPY waits for PostgreSQL to take in every row sent, so each switch of member stalls the writer. It takes
    /// every chunk waiting before it writes, and writes them grouped by member (the COPY in progress first): the further
    /// behind it is, the longer its runs, and a round never leaves a chunk unwritten (the reader may be waiting for it).
    /// </remarks>
    internal static void CopyChunks(NpgsqlConnection conn, ChannelReader<Chunk> chunks, ChannelWriter<Chunk> free, Profile prof, CancellationToken ct)
    {
        var frame = new ArrayBufferWriter<byte>(32);
        Member? into = null;
        NpgsqlRawCopyStream? copy = null;
        var waiting = new Dictionary<Member, Queue<Chunk>>();
        try
        {
            var w0 = Stopwatch.GetTimestamp();
            while (chunks.WaitToReadAsync(ct).AsTask().GetAwaiter().GetResult())
            {
                var w1 = Stopwatch.GetTimestamp();
                prof.WriterWait += w1 - w0;
                w0 = w1;
                while (chunks.TryRead(out var chunk))
                {
                    if (!waiting.TryGetValue(chunk.Owner, out var queue)) waiting[chunk.Owner] = queue = new Queue<Chunk>();
                    queue.Enqueue(chunk);
                }
                if (into is not null && waiting.TryGetValue(into, out var current)) WriteAll(into, current);
                foreach (var (owner, queue) in waiting) WriteAll(owner, queue);
                w1 = Stopwatch.GetTimestamp();
                prof.Write += w1 - w0;
                w0 = w1;
            }
            End();
        }
        catch
        {
            copy?.Cancel();
            copy?.Dispose();
            throw;
        }

        void WriteAll(Member owner, Queue<Chunk> queue)
        {
            if (queue.Count == 0) return;
            if (owner != into)
            {
                End();
                into = owner;
                copy = conn.BeginRawBinaryCopy(owner.CopyCommand);
                frame.ResetWrittenCount();
                PgBinaryCopyWriter.Header(frame);
                copy.Write(frame.WrittenSpan);
            }
            while (queue.TryDequeue(out var chunk))
            {
                copy!.Write(chunk.Tuples.WrittenSpan);
                free.TryWrite(chunk);
            }
        }

        void End()
        {
            if (copy is null) return;
            frame.ResetWrittenCount();
            PgBinaryCopyWriter.Trailer(frame);
            copy.Write(frame.WrittenSpan);
            // Disposing the stream ends the COPY: the rows are the table's (in the rebuild's transaction) from here.
            copy.Dispose();
            copy = null;
        }
    }

    /// <summary>Encoded COPY rows (no header or trailer) in a reused buffer.</summary>
    internal sealed class Chunk
    {
        /// <summary>Sent once this full: a row of up to the rest of the buffer fits without growing it.</summary>
        public const int FlushAt = 384 * 1024;

        public readonly ArrayBufferWriter<byte> Tuples = new(512 * 1024);
        public int Count;

        /// <summary>The member whose table the rows are for.</summary>
        public Member Owner = null!;
    }

    /// <summary>Chunks in flight at most: the encoding thread waits for a free one when the writer is this far behind.</summary>
    /// <remarks>
    /// Each member that writes during the pass holds one chunk it is filling (four do); the rest are in flight, enough
    /// for the reader to go on while the writer waits for PostgreSQL at the end of a member's COPY.
    /// </remarks>
    private const int ChunksInFlight = 24;

    private static Channel<Chunk> FreeChunks()
    {
        var free = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(ChunksInFlight) { SingleReader = true, SingleWriter = true });
        for (var i = 0; i < ChunksInFlight; i++) free.Writer.TryWrite(new Chunk());
        return free;
    }

    private static Channel<Chunk> FullChunks() =>
        Channel.CreateBounded<Chunk>(new BoundedChannelOptions(ChunksInFlight) { SingleReader = true, SingleWriter = true });

    /// <summary>
    /// Where an encoding thread writes rows: a few reused chunks that the writer sends while the next are written.
    /// Reused buffers, not an object per row: rows waiting in the channel outlived the youngest generation and the
    /// collector copied them; and bounded, so the COPY data in memory stays a few MB whatever the history's size.
    /// </summary>
    internal sealed class ChunkSink(Member owner, ChannelWriter<Chunk> full, ChannelReader<Chunk> free, Profile prof, CancellationToken ct)
    {
        private Chunk? _chunk;

        /// <summary>The buffer the next row goes into; call <see cref="EndRow"/> after it.</summary>
        public ArrayBufferWriter<byte> Row() => (_chunk ??= Take()).Tuples;

        public void EndRow()
        {
            var chunk = _chunk!;
            chunk.Count++;
            if (chunk.Tuples.WrittenCount >= Chunk.FlushAt) Flush();
        }

        /// <summary>A free chunk, waiting while the writer is behind (timed as the reader's wait).</summary>
        private Chunk Take()
        {
            var waited = Stopwatch.GetTimestamp();
            Chunk? chunk;
            while (!free.TryRead(out chunk))
                free.WaitToReadAsync(ct).AsTask().GetAwaiter().GetResult();
            prof.Send += Stopwatch.GetTimestamp() - waited;
            chunk.Count = 0;
            chunk.Tuples.ResetWrittenCount();
            chunk.Owner = owner;
            return chunk;
        }

        /// <summary>Sends the rows written so far.</summary>
        public void Flush()
        {
            if (_chunk is not { Count: > 0 } chunk) return;
            _chunk = null;
            // Never full: no more chunks exist than it holds.
            if (!full.TryWrite(chunk)) throw new InvalidOperationException("The channel of COPY chunks is full.");
        }
    }

    /// <summary>account_projection: <see cref="AccountProjection.Fold"/> per event into one row per wallet (a struct, no object per wallet).</summary>
    private sealed class AccountMember(string table)
        : Member(AccountProjection.ProjectionName, table, ["aggregate_id", "credits", "owner", "last_changed_at", "last_sequence"])
    {
        public override void Bind() => Uses([typeof(WalletOpened), typeof(CreditsGranted), typeof(CreditsSpent)]);

        private Dictionary<Guid, AccountProjection.Row> _rows = [];

        public override bool HasFolded => true;

        public override void Fold(IEvent e)
        {
            ref var row = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_rows, e.StreamId, out var exists);
            if (AccountProjection.Fold(ref row, e.Data, e.Sequence)) Applied++;
            else if (!exists) _rows.Remove(e.StreamId);
        }

        public override bool EndsWithStream => true;

        public override void StreamEnded(Guid stream) => WriteRow(_rows, stream, Sink, Encode);

        public override void EncodeFolded(ChunkSink sink, CancellationToken ct) => WriteRows(ref _rows, sink, ct, Encode);

        private static void Encode(ChunkSink sink, Guid id, AccountProjection.Row row)
        {
            var w = sink.Row();
            PgBinaryCopyWriter.Row(w, 5);
            PgBinaryCopyWriter.Uuid(w, id);
            PgBinaryCopyWriter.Int32(w, row.Credits);
            if (row.Owner is null) PgBinaryCopyWriter.Null(w); else PgBinaryCopyWriter.Text(w, row.Owner);
            PgBinaryCopyWriter.TimestampTz(w, row.LastChangedAt);
            PgBinaryCopyWriter.Int64(w, row.LastSequence);
            sink.EndRow();
        }
    }

    /// <summary>overview_daily_activity: every event counted per UTC day, actor, event type and stream type, as its SQL does.</summary>
    /// <remarks>
    /// Counted under the strings' identity, not their value: the pass hands over the same instance for a repeated
    /// actor, type or stream type, and hashing three strings per event was a fifth of the folding. Equal strings that
    /// are different instances only make more rows here; they are merged by value before the copy.
    /// </remarks>
    private sealed class DailyMember(string table)
        : Member(DailyActivityProjection.ProjectionName, table, ["day", "user_name", "event_type", "stream_type", "events", "amount", "last_sequence"])
    {
        private Dictionary<Key, DailyActivityProjection.Counts> _rows = [];

        public override bool HasFolded => true;
        private readonly Dictionary<string, int> _ids = new(ReferenceEqualityComparer.Instance);
        private readonly List<string> _strings = [];

        private readonly record struct Key(int Day, int User, int Type, int StreamType);

        private int Id(string value)
        {
            ref var id = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_ids, value, out var exists);
            if (!exists)
            {
                id = _strings.Count;
                _strings.Add(value);
            }
            return id;
        }

        /// <summary>Counts one event (<see cref="DailyActivityProjection.Fold"/>) under its key: <see cref="DailyActivityProjection.Day"/>, actor, logical type, stream type.</summary>
        public void Count(DateOnly day, string user, string type, string streamType, object? data, long sequence)
        {
            Applied++;
            ref var row = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(
                _rows, new Key(day.DayNumber, Id(user), Id(type), Id(streamType)), out _);
            DailyActivityProjection.Fold(ref row, data, sequence);
        }

        public override void EncodeFolded(ChunkSink sink, CancellationToken ct)
        {
            var merged = new Dictionary<(DateOnly Day, string User, string Type, string StreamType), DailyActivityProjection.Counts>();
            foreach (var (key, row) in _rows)
            {
                ref var into = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(
                    merged, (DateOnly.FromDayNumber(key.Day), _strings[key.User], _strings[key.Type], _strings[key.StreamType]), out _);
                DailyActivityProjection.Merge(ref into, row);
            }
            _rows = [];
            foreach (var (key, row) in merged)
            {
                ct.ThrowIfCancellationRequested();
                var w = sink.Row();
                PgBinaryCopyWriter.Row(w, 7);
                PgBinaryCopyWriter.Date(w, key.Day);
                PgBinaryCopyWriter.Text(w, key.User);
                PgBinaryCopyWriter.Text(w, key.Type);
                PgBinaryCopyWriter.Text(w, key.StreamType);
                PgBinaryCopyWriter.Int64(w, row.Events);
                PgBinaryCopyWriter.Int64(w, row.Amount);
                PgBinaryCopyWriter.Int64(w, row.LastSequence);
                sink.EndRow();
            }
        }
    }

    /// <summary>
    /// wallet_transaction: one row per grant or spend (<see cref="WalletTransactionProjection.ToTransaction"/>), encoded
    /// by the reading thread in binary COPY format (<see cref="PgBinaryCopyWriter"/>) into the chunks of a
    /// <see cref="ChunkSink"/> that the writing thread sends while the pass goes on.
    /// </summary>
    private sealed class TransactionMember(string table) : Member(WalletTransactionProjection.ProjectionName, table, WalletTransactionProjection.Columns)
    {
        public override void Bind() => Uses([typeof(CreditsGranted), typeof(CreditsSpent)]);

        private static readonly string[] KindNames = Enum.GetNames<TransactionKind>();
        private static readonly string[] SourceNames = Enum.GetNames<GrantSource>();
        private static readonly short Fields = (short)WalletTransactionProjection.Columns.Length;

        // One row per grant or spend, sent as it is folded.
        public override bool WritesDuringPass => true;

        public override void Fold(IEvent e)
        {
            if (WalletTransactionProjection.ToTransaction(e) is not { } t) return;
            Applied++;
            var w = Sink.Row();
            // In the order of WalletTransactionProjection.Columns.
            PgBinaryCopyWriter.Row(w, Fields);
            PgBinaryCopyWriter.Int64(w, t.Sequence);
            PgBinaryCopyWriter.Uuid(w, t.Id);
            PgBinaryCopyWriter.Uuid(w, t.WalletId);
            PgBinaryCopyWriter.Int64(w, t.Version);
            PgBinaryCopyWriter.Text(w, KindNames[(int)t.Kind]);
            PgBinaryCopyWriter.Int32(w, t.Amount);
            PgBinaryCopyWriter.Text(w, t.Type);
            if (t.JobId is { } job) PgBinaryCopyWriter.Uuid(w, job); else PgBinaryCopyWriter.Null(w);
            PgBinaryCopyWriter.Text(w, t.Actor);
            PgBinaryCopyWriter.TimestampTz(w, t.At);
            PgBinaryCopyWriter.Text(w, t.Reason);
            if (t.Source is { } source) PgBinaryCopyWriter.Text(w, SourceNames[(int)source]); else PgBinaryCopyWriter.Null(w);
            Sink.EndRow();
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
        private Dictionary<TId, Folded> _docs = [];

        public override bool HasFolded => true;
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
            var current = exists ? folded.Doc : null;
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
            folded.Doc = next;
            folded.Version = e.Version;
            folded.Revision = revision == Revision.Version ? e.Version : e.Sequence;
            Applied++;
        }

        /// <summary>Inline in the dictionary's entries: no object per document beside the document.</summary>
        private struct Folded
        {
            public TDoc Doc;
            public long Version;
            public long Revision;
        }

        /// <summary>A single-stream aggregation (keyed by its stream's id, as Marten defines one): a document is final once its stream ends.</summary>
        public override bool EndsWithStream => projection is Marten.Events.Aggregation.SingleStreamProjection<TDoc, TId>;

        // A single-stream aggregation's id is its stream's.
        public override void StreamEnded(Guid stream) => WriteRow(_docs, (TId)(object)stream, Sink, Encode);

        public override void EncodeFolded(ChunkSink sink, CancellationToken ct) => WriteRows(ref _docs, sink, ct, Encode);

        private static readonly string DotNetType = typeof(TDoc).FullName!;

        // One document's JSON at a time (the pass's reading thread, then the encoding thread after it; never both).
        private readonly ArrayBufferWriter<byte> _doc = new(4096);
        private Utf8JsonWriter? _writer;

        private void Encode(ChunkSink sink, TId key, Folded folded)
        {
            // As JsonSerializer.SerializeToUtf8Bytes would write with the store's options.
            _writer ??= new Utf8JsonWriter(_doc, new JsonWriterOptions { Encoder = json.Encoder, Indented = json.WriteIndented, MaxDepth = json.MaxDepth });
            var stamped = folded.Doc;
            SetVersion?.Invoke(stamped, folded.Version);
            var w = sink.Row();
            PgBinaryCopyWriter.Row(w, (short)(4 + duplicated.Length));
            if (key is Guid guid) PgBinaryCopyWriter.Uuid(w, guid); else PgBinaryCopyWriter.Text(w, key.ToString()!);
            _doc.ResetWrittenCount();
            _writer.Reset(_doc);
            JsonSerializer.Serialize(_writer, stamped, json);
            _writer.Flush();
            PgBinaryCopyWriter.Jsonb(w, _doc.WrittenSpan);
            PgBinaryCopyWriter.Text(w, DotNetType);
            PgBinaryCopyWriter.Int64(w, folded.Revision);
            foreach (var d in duplicated) Encode(w, d.Type, d.Value(stamped));
            sink.EndRow();
        }

        private static void Encode(ArrayBufferWriter<byte> w, NpgsqlDbType type, object? value)
        {
            switch (value)
            {
                case null: PgBinaryCopyWriter.Null(w); break;
                case int i when type == NpgsqlDbType.Integer: PgBinaryCopyWriter.Int32(w, i); break;
                case long l when type == NpgsqlDbType.Bigint: PgBinaryCopyWriter.Int64(w, l); break;
                case string t when type is NpgsqlDbType.Text or NpgsqlDbType.Varchar: PgBinaryCopyWriter.Text(w, t); break;
                case Guid g when type == NpgsqlDbType.Uuid: PgBinaryCopyWriter.Uuid(w, g); break;
                case DateTimeOffset at when type == NpgsqlDbType.TimestampTz: PgBinaryCopyWriter.TimestampTz(w, at); break;
                default: throw new NotSupportedException($"The bulk rebuild cannot write a duplicated {type} column from a {value.GetType().Name}.");
            }
        }
    }
}
