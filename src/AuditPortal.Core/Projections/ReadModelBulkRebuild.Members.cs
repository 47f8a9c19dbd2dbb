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

        /// <summary>
        /// The rows folded in memory (one per wallet, job, participant, day) as a whole binary COPY stream, or null
        /// when the member sends its rows during the pass. Runs while PostgreSQL builds the history's indexes.
        /// </summary>
        public virtual ArrayBufferWriter<byte>? EncodeFolded(CancellationToken ct) => null;

        /// <summary>Copies an encoded stream in.</summary>
        public void Send(NpgsqlConnection conn, ArrayBufferWriter<byte> encoded) => RawCopy(conn, copy => copy.Write(encoded.WrittenSpan));

        /// <summary>One raw binary COPY into the table: whatever <paramref name="write"/> sends, or nothing if it fails.</summary>
        protected void RawCopy(NpgsqlConnection conn, Action<Stream> write)
        {
            using var copy = conn.BeginRawBinaryCopy(CopyCommand);
            try
            {
                write(copy);
            }
            catch
            {
                // Nothing half-sent may be taken as the table's rows.
                copy.Cancel();
                throw;
            }
        }

        // Into the shadow: readers keep the table until the switch.
        protected string CopyCommand => $"copy {Table}{ReadModelIndexes.ShadowSuffix} ({string.Join(", ", Columns)}) from stdin (format binary)";

        /// <summary>A COPY stream's buffer with its header written; each row starts with <see cref="PgBinaryCopyWriter.Row"/>.</summary>
        protected static ArrayBufferWriter<byte> NewStream(int rows, int bytesPerRow)
        {
            var w = new ArrayBufferWriter<byte>(Math.Max(64, rows * bytesPerRow));
            PgBinaryCopyWriter.Header(w);
            return w;
        }

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

        public override ArrayBufferWriter<byte> EncodeFolded(CancellationToken ct)
        {
            var w = NewStream(_rows.Count, 72);
            foreach (var (id, row) in _rows)
            {
                ct.ThrowIfCancellationRequested();
                PgBinaryCopyWriter.Row(w, 5);
                PgBinaryCopyWriter.Uuid(w, id);
                PgBinaryCopyWriter.Int32(w, row.Credits);
                if (row.Owner is null) PgBinaryCopyWriter.Null(w); else PgBinaryCopyWriter.Text(w, row.Owner);
                PgBinaryCopyWriter.TimestampTz(w, row.LastChangedAt);
                PgBinaryCopyWriter.Int64(w, row.LastSequence);
            }
            PgBinaryCopyWriter.Trailer(w);
            _rows.Clear();
            return w;
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
    /// <remarks>
    /// Counted under the strings' identity, not their value: the pass hands over the same instance for a repeated
    /// actor, type or stream type, and hashing three strings per event was a fifth of the folding. Equal strings that
    /// are different instances only make more rows here; they are merged by value before the copy.
    /// </remarks>
    private sealed class DailyMember(string table)
        : Member(DailyActivityProjection.ProjectionName, table, ["day", "user_name", "event_type", "stream_type", "events", "amount", "last_sequence"])
    {
        private readonly Dictionary<Key, Row> _rows = [];
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

        public void Count(DateOnly day, string user, string type, string streamType, long amount, long sequence)
        {
            Applied++;
            ref var row = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(
                _rows, new Key(day.DayNumber, Id(user), Id(type), Id(streamType)), out _);
            row.Events++;
            row.Amount += amount;
            row.LastSequence = sequence;
        }

        public override ArrayBufferWriter<byte> EncodeFolded(CancellationToken ct)
        {
            var merged = new Dictionary<(DateOnly Day, string User, string Type, string StreamType), Row>();
            foreach (var (key, row) in _rows)
            {
                ref var into = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(
                    merged, (DateOnly.FromDayNumber(key.Day), _strings[key.User], _strings[key.Type], _strings[key.StreamType]), out _);
                into.Events += row.Events;
                into.Amount += row.Amount;
                into.LastSequence = Math.Max(into.LastSequence, row.LastSequence);
            }
            var w = NewStream(merged.Count, 96);
            foreach (var (key, row) in merged)
            {
                PgBinaryCopyWriter.Row(w, 7);
                PgBinaryCopyWriter.Date(w, key.Day);
                PgBinaryCopyWriter.Text(w, key.User);
                PgBinaryCopyWriter.Text(w, key.Type);
                PgBinaryCopyWriter.Text(w, key.StreamType);
                PgBinaryCopyWriter.Int64(w, row.Events);
                PgBinaryCopyWriter.Int64(w, row.Amount);
                PgBinaryCopyWriter.Int64(w, row.LastSequence);
            }
            PgBinaryCopyWriter.Trailer(w);
            _rows.Clear();
            return w;
        }

        private struct Row
        {
            public long Events;
            public long Amount;
            public long LastSequence;
        }
    }

    /// <summary>
    /// wallet_transaction: one row per grant or spend (<see cref="WalletTransactionProjection.ToTransaction"/>), encoded
    /// by the reading thread in binary COPY format (<see cref="PgBinaryCopyWriter"/>) into a few reused chunks that the
    /// writing thread sends while the pass goes on. Reused buffers, not an object per event: rows waiting in the channel
    /// outlived the youngest generation and the collector copied them.
    /// </summary>
    private sealed class TransactionMember(string table) : Member(WalletTransactionProjection.ProjectionName, table, WalletTransactionProjection.Columns)
    {
        public override void Bind() => Uses([typeof(CreditsGranted), typeof(CreditsSpent)]);

        private const int ChunkSize = 2_000;
        /// <summary>Chunks in flight at most: the reader waits for a free one when the writer is this far behind.</summary>
        public const int Chunks = 8;
        private static readonly string[] KindNames = Enum.GetNames<TransactionKind>();
        private static readonly short Fields = (short)WalletTransactionProjection.Columns.Length;
        private Chunk? _chunk;
        private ChannelWriter<Chunk> _full = null!;
        private ChannelReader<Chunk> _free = null!;
        private Profile _prof = null!;
        private CancellationToken _ct;

        public sealed class Chunk
        {
            public readonly ArrayBufferWriter<byte> Tuples = new(ChunkSize * 192);
            public int Count;
        }

        /// <summary>Where the written rows go (<paramref name="full"/>) and where emptied chunks come back from.</summary>
        public void SendTo(ChannelWriter<Chunk> full, ChannelReader<Chunk> free, Profile prof, CancellationToken ct) => (_full, _free, _prof, _ct) = (full, free, prof, ct);

        public override void Fold(IEvent e)
        {
            if (WalletTransactionProjection.ToTransaction(e) is not { } t) return;
            Applied++;
            var chunk = _chunk ??= Take();
            var w = chunk.Tuples;
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
            if (++chunk.Count == ChunkSize) Flush();
        }

        /// <summary>A free chunk, waiting while the writer is behind (timed as the reader's wait).</summary>
        private Chunk Take()
        {
            var waited = Stopwatch.GetTimestamp();
            Chunk? chunk;
            while (!_free.TryRead(out chunk))
                _free.WaitToReadAsync(_ct).AsTask().GetAwaiter().GetResult();
            _prof.Send += Stopwatch.GetTimestamp() - waited;
            chunk.Count = 0;
            chunk.Tuples.ResetWrittenCount();
            return chunk;
        }

        /// <summary>Sends the rows written so far.</summary>
        public void Flush()
        {
            if (_chunk is not { Count: > 0 } chunk) return;
            _chunk = null;
            // Never full: no more chunks exist than it holds.
            if (!_full.TryWrite(chunk)) throw new InvalidOperationException("The channel of WalletTransaction chunks is full.");
        }

        public static Channel<Chunk> FreeChunks()
        {
            var free = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(Chunks) { SingleReader = true, SingleWriter = true });
            for (var i = 0; i < Chunks; i++) free.Writer.TryWrite(new Chunk());
            return free;
        }

        /// <summary>Sends the chunks' tuples as they come, between the format's header and trailer.</summary>
        public void Copy(NpgsqlConnection conn, ChannelReader<Chunk> chunks, ChannelWriter<Chunk> free, Profile prof, CancellationToken ct) => RawCopy(conn, copy =>
        {
            var frame = new ArrayBufferWriter<byte>(32);
            PgBinaryCopyWriter.Header(frame);
            copy.Write(frame.WrittenSpan);
            var w0 = Stopwatch.GetTimestamp();
            while (chunks.WaitToReadAsync(ct).AsTask().GetAwaiter().GetResult())
            {
                var w1 = Stopwatch.GetTimestamp();
                prof.WriterWait += w1 - w0;
                w0 = w1;
                while (chunks.TryRead(out var chunk))
                {
                    copy.Write(chunk.Tuples.WrittenSpan);
                    free.TryWrite(chunk);
                    w1 = Stopwatch.GetTimestamp();
                    prof.Write += w1 - w0;
                    w0 = w1;
                }
            }
            frame.ResetWrittenCount();
            PgBinaryCopyWriter.Trailer(frame);
            copy.Write(frame.WrittenSpan);
        });
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

        public override ArrayBufferWriter<byte> EncodeFolded(CancellationToken ct)
        {
            var dotNetType = typeof(TDoc).FullName!;
            var w = NewStream(_docs.Count, 640);
            var doc = new ArrayBufferWriter<byte>(4096);
            // As JsonSerializer.SerializeToUtf8Bytes would write with the store's options.
            using var writer = new Utf8JsonWriter(doc, new JsonWriterOptions { Encoder = json.Encoder, Indented = json.WriteIndented, MaxDepth = json.MaxDepth });
            var fields = (short)(4 + duplicated.Length);
            foreach (var (key, folded) in _docs)
            {
                ct.ThrowIfCancellationRequested();
                var stamped = folded.Doc;
                SetVersion?.Invoke(stamped, folded.Version);
                PgBinaryCopyWriter.Row(w, fields);
                if (key is Guid guid) PgBinaryCopyWriter.Uuid(w, guid); else PgBinaryCopyWriter.Text(w, key.ToString()!);
                doc.ResetWrittenCount();
                writer.Reset(doc);
                JsonSerializer.Serialize(writer, stamped, json);
                writer.Flush();
                PgBinaryCopyWriter.Jsonb(w, doc.WrittenSpan);
                PgBinaryCopyWriter.Text(w, dotNetType);
                PgBinaryCopyWriter.Int64(w, folded.Revision);
                foreach (var d in duplicated) Encode(w, d.Type, d.Value(stamped));
            }
            PgBinaryCopyWriter.Trailer(w);
            _docs.Clear();
            return w;
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
