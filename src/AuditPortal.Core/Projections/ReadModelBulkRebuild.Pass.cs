using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using AuditPortal.Core.Overview;
using JasperFx.Events;
using Npgsql;
using NpgsqlTypes;

namespace AuditPortal.Core.Projections;

/// <summary>
/// The pass itself: one thread reads the events by binary COPY and deserializes them, another folds them into the
/// members, in sequence order, a batch at a time. Split in two because one thread doing both was the whole pass
/// (15.8 s of 15.8 s at 1,000,000 events) while the second core waited on the writer.
/// </summary>
public sealed partial class ReadModelBulkRebuild
{
    private const int BatchSize = 1_024;
    /// <summary>Batches in flight at most; they are reused, so a batch's events die young.</summary>
    private const int Batches = 4;

    /// <summary>Where the threads spend their time (Stopwatch ticks), reported as phases.</summary>
    private sealed class Profile
    {
        public long Io, Deserialize, ReaderWait, FolderWait, Fold, Send, WriterWait, Write;

        public IEnumerable<BulkRebuildPhase> Phases() =>
            new[]
            {
                ("reader: Npgsql reads", Io), ("reader: deserialize", Deserialize), ("reader: waits for the folder", ReaderWait),
                ("folder: waits for the reader", FolderWait), ("folder: fold", Fold), ("folder: waits for the writer", Send),
                ("writer: waits for the folder", WriterWait), ("writer: Npgsql writes", Write),
            }.Select(p => new BulkRebuildPhase(p.Item1, Stopwatch.GetElapsedTime(0, p.Item2)));
    }

    /// <summary>An event type the pass deserializes, and how it wraps one (Marten's own Wrap was 15% of the reading thread).</summary>
    private sealed record EventReader(Type Type, Func<object, IEvent> Wrap)
    {
        public static EventReader For(Type type) =>
            new(type, typeof(EventReader).GetMethod(nameof(WrapAs), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(type).CreateDelegate<Func<object, IEvent>>());

        private static IEvent WrapAs<T>(object data) where T : notnull => new Event<T>((T)data);
    }

    /// <summary>Events as read: every row's metadata (the per-day count reads them all), the event itself when a member reads its type.</summary>
    private sealed class Batch
    {
        public readonly long[] Sequences = new long[BatchSize];
        public readonly Guid[] StreamIds = new Guid[BatchSize];
        public readonly DateTimeOffset[] Timestamps = new DateTimeOffset[BatchSize];
        public readonly string?[] Users = new string?[BatchSize];
        public readonly string[] Types = new string[BatchSize];
        public readonly IEvent?[] Events = new IEvent?[BatchSize];
        public int Count;
        public long Bytes;

        public void Clear()
        {
            // The events and names go as soon as they are folded, not when the batch is next filled.
            Array.Clear(Events, 0, Count);
            Array.Clear(Users, 0, Count);
            Array.Clear(Types, 0, Count);
            Count = 0;
            Bytes = 0;
        }
    }

    private long ReadAndFold(
        NpgsqlConnection reader, string eventsSchema, long mark, long total, Dictionary<string, EventReader> typed, Dictionary<Guid, string> streamTypes,
        List<Member> members, JsonSerializerOptions json, Profile prof, ChannelWriter<TransactionMember.Chunk> chunks, ChannelReader<TransactionMember.Chunk> free,
        IProgress<RebuildProgress>? progress, Stopwatch clock, CancellationToken ct)
    {
        var full = Channel.CreateBounded<Batch>(new BoundedChannelOptions(Batches) { SingleReader = true, SingleWriter = true });
        var empty = Channel.CreateBounded<Batch>(new BoundedChannelOptions(Batches) { SingleReader = true, SingleWriter = true });
        for (var i = 0; i < Batches; i++) empty.Writer.TryWrite(new Batch());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var read = Task.Run(() =>
        {
            try
            {
                ReadEvents(reader, eventsSchema, mark, typed, json, prof, full.Writer, empty.Reader, stop.Token);
                full.Writer.Complete();
            }
            catch (Exception x)
            {
                full.Writer.TryComplete(x);
                throw;
            }
        }, CancellationToken.None);
        try
        {
            var folded = FoldEvents(streamTypes, members, prof, chunks, free, full.Reader, empty.Writer, mark, total, progress, clock, stop.Token);
            read.GetAwaiter().GetResult();
            return folded;
        }
        catch (Exception x)
        {
            // A failed fold stops the reading thread (waiting for an empty batch); a failed read has completed the channel.
            stop.Cancel();
            try { read.GetAwaiter().GetResult(); }
            catch (Exception r) when (r is not OperationCanceledException && x is OperationCanceledException)
            {
                // The reader failed while the fold was being cancelled: the reader's failure says more.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(r);
            }
            catch
            {
                // The reader only stopped because the fold failed.
            }
            throw;
        }
    }

    /// <summary>The reading thread: rows out of the COPY, each event deserialized once and wrapped with its metadata.</summary>
    private static void ReadEvents(
        NpgsqlConnection reader, string eventsSchema, long mark, Dictionary<string, EventReader> typed, JsonSerializerOptions json, Profile prof,
        ChannelWriter<Batch> full, ChannelReader<Batch> empty, CancellationToken ct)
    {
        using var copy = reader.BeginBinaryExport(
            $"copy (select seq_id, id, stream_id, version, type, timestamp, user_name, data from {eventsSchema}.mt_events " +
            $"where seq_id <= {mark} order by seq_id) to stdout (format binary)");
        var batch = Take(empty, ref prof.ReaderWait, ct);
        var t0 = Stopwatch.GetTimestamp();
        while (copy.StartRow() != -1)
        {
            var i = batch.Count;
            var sequence = batch.Sequences[i] = copy.Read<long>(NpgsqlDbType.Bigint);
            var id = copy.Read<Guid>(NpgsqlDbType.Uuid);
            var streamId = batch.StreamIds[i] = copy.Read<Guid>(NpgsqlDbType.Uuid);
            var version = copy.Read<long>(NpgsqlDbType.Bigint);
            var typeName = batch.Types[i] = copy.Read<string>(NpgsqlDbType.Varchar);
            var timestamp = batch.Timestamps[i] = copy.Read<DateTimeOffset>(NpgsqlDbType.TimestampTz);
            string? userName = null;
            if (copy.IsNull) copy.Skip(); else userName = copy.Read<string>(NpgsqlDbType.Varchar);
            batch.Users[i] = userName;
            if (typed.TryGetValue(typeName, out var mapping))
            {
                var bytes = copy.Read<byte[]>(NpgsqlDbType.Jsonb);
                batch.Bytes += bytes.Length;
                var t1 = Stopwatch.GetTimestamp();
                prof.Io += t1 - t0;
                t0 = t1;
                object? data;
                try
                {
                    data = JsonSerializer.Deserialize(bytes, mapping.Type, json);
                }
                catch (Exception x)
                {
                    throw new BulkRebuildException(ReadModelShards.Composite, sequence, typeName, $"Event {sequence} ({typeName}) cannot be read: {x.Message}", x);
                }
                if (data is null) throw new BulkRebuildException(ReadModelShards.Composite, sequence, typeName, $"Event {sequence} ({typeName}) is null.");
                var e = mapping.Wrap(data);
                e.Sequence = sequence;
                e.Id = id;
                e.StreamId = streamId;
                e.Version = version;
                e.EventTypeName = typeName;
                e.Timestamp = timestamp;
                e.UserName = userName;
                batch.Events[i] = e;
                t1 = Stopwatch.GetTimestamp();
                prof.Deserialize += t1 - t0;
                t0 = t1;
            }
            else
            {
                // No member but the per-day count reads this type, and that count needs only the metadata.
                copy.Skip();
            }
            if (++batch.Count == BatchSize)
            {
                Send(full, batch);
                batch = Take(empty, ref prof.ReaderWait, ct);
                t0 = Stopwatch.GetTimestamp();
            }
        }
        if (batch.Count > 0) Send(full, batch);
        prof.Io += Stopwatch.GetTimestamp() - t0;
    }

    /// <summary>The folding thread: every event counted per day and applied to the members that read it, in sequence order.</summary>
    private long FoldEvents(
        Dictionary<Guid, string> streamTypes, List<Member> members, Profile prof, ChannelWriter<TransactionMember.Chunk> chunks,
        ChannelReader<TransactionMember.Chunk> free, ChannelReader<Batch> full, ChannelWriter<Batch> empty, long mark, long total,
        IProgress<RebuildProgress>? progress, Stopwatch clock, CancellationToken ct)
    {
        long read = 0;
        var daily = members.OfType<DailyMember>().SingleOrDefault();
        var transactions = members.OfType<TransactionMember>().Single();
        transactions.SendTo(chunks, free, prof, ct);
        var folding = members.Where(m => m is not DailyMember).ToArray();
        var stepClock = Stopwatch.StartNew();
        long stepStart = 0;
        long stepBytes = 0;
        long lastSequence = 0;
        while (true)
        {
            var batch = Next(full, ref prof.FolderWait, ct);
            if (batch is null) break;
            var t0 = Stopwatch.GetTimestamp();
            var sentBefore = prof.Send;
            for (var i = 0; i < batch.Count; i++)
            {
                var e = batch.Events[i];
                var sequence = lastSequence = batch.Sequences[i];
                daily?.Count(DailyActivityProjection.Day(batch.Timestamps[i]), batch.Users[i] ?? "", batch.Types[i],
                    streamTypes.GetValueOrDefault(batch.StreamIds[i], ""), DailyActivityProjection.Amount(e?.Data), sequence);
                if (e is null) continue;
                foreach (var member in folding)
                {
                    if (!member.Uses(e)) continue;
                    try
                    {
                        member.Fold(e);
                    }
                    // A cancel (by the caller, or by a failed writer while WalletTransaction waits to send) is not the event's fault.
                    catch (Exception x) when (x is not OperationCanceledException)
                    {
                        throw new BulkRebuildException(member.Name, sequence, e.EventTypeName, $"{member.Name} cannot apply event {sequence} ({e.EventTypeName}): {x.Message}", x);
                    }
                }
            }
            read += batch.Count;
            stepBytes += batch.Bytes;
            batch.Clear();
            empty.TryWrite(batch);
            // A wait for the writer (WalletTransaction's chunks) counts as that, not as folding.
            prof.Fold += Stopwatch.GetTimestamp() - t0 - (prof.Send - sentBefore);
            if (read - stepStart >= ProgressEvery)
            {
                ct.ThrowIfCancellationRequested();
                Report(progress, lastSequence, mark, read, read - stepStart, stepBytes, total, stepClock, clock);
                stepStart = read;
                stepBytes = 0;
            }
        }
        transactions.Flush();
        if (read > stepStart) Report(progress, mark, mark, read, read - stepStart, stepBytes, total, stepClock, clock);
        return read;
    }

    private static Batch Take(ChannelReader<Batch> empty, ref long waited, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        Batch? batch;
        while (!empty.TryRead(out batch))
            empty.WaitToReadAsync(ct).AsTask().GetAwaiter().GetResult();
        waited += Stopwatch.GetTimestamp() - start;
        return batch;
    }

    /// <summary>The next batch in order, or null once the reader has finished (its failure, if it failed, is thrown).</summary>
    private static Batch? Next(ChannelReader<Batch> full, ref long waited, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            Batch? batch;
            while (!full.TryRead(out batch))
            {
                if (!full.WaitToReadAsync(ct).AsTask().GetAwaiter().GetResult()) return null;
            }
            return batch;
        }
        finally
        {
            waited += Stopwatch.GetTimestamp() - start;
        }
    }

    // Never blocks: no more batches exist than the channel holds.
    private static void Send(ChannelWriter<Batch> full, Batch batch)
    {
        if (!full.TryWrite(batch)) throw new InvalidOperationException("The channel of event batches is full.");
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
}
