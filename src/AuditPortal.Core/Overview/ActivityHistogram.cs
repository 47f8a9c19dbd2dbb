using AuditPortal.Core.Database;
using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Audit;
using AuditPortal.Core.Common;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace AuditPortal.Core.Overview;

/// <summary>Events in [From, To).</summary>
public sealed record ActivityBucket(DateTimeOffset From, DateTimeOffset To, long Events);

/// <summary>The explorer's filter counted per time bucket; <see cref="BucketSize"/> is chosen so that the range fits in few bars.</summary>
public sealed record ActivityHistogramResult(DateTimeOffset From, DateTimeOffset To, TimeSpan BucketSize, IReadOnlyList<ActivityBucket> Buckets)
{
    public long Total => Buckets.Sum(b => b.Events);
    public static ActivityHistogramResult Empty { get; } = new(default, default, TimeSpan.Zero, []);
}

/// <summary>The explorer's histogram reads through this (a page test gives it an empty one).</summary>
public interface IActivityHistogram
{
    Task<ActivityHistogramResult> CountAsync(AuditFilter filter, CancellationToken ct = default);
}

/// <summary>
/// Counts the events matching an audit filter per time bucket (the same conditions as the explorer's list), for the
/// explorer's histogram. Needs ReadAudit at the moment of the call. Whole days come from the daily read model
/// (<see cref="DailyActivityProjection"/>) when the filter is on actor, event type or stream type only; partial days,
/// stream ids and text searches are counted from the events.
/// </summary>
public sealed class ActivityHistogram(IDocumentStore store, ICurrentActor current) : IActivityHistogram, IPortalReads
{
    public const int MaxBuckets = 60;

    /// <summary>Bucket sizes a reader recognises; the smallest that keeps the range within <see cref="MaxBuckets"/> wins.</summary>
    public static readonly TimeSpan[] BucketSizes =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), TimeSpan.FromHours(6),
        TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(30),
    ];

    private string Schema => store.Options.Events.DatabaseSchemaName;

    public async Task<ActivityHistogramResult> CountAsync(AuditFilter filter, CancellationToken ct = default)
    {
        var actor = await current.GetActorAsync();
        await using (var session = store.QuerySession())
        {
            await PortalAccess.DemandAsync(session, actor, "audit", ct, Permission.ReadAudit);
        }
        var f = filter.Normalized();
        await using var conn = await store.OpenConnectionAsync(ct);
        // Actor, event type and stream type are the daily read model's keys; a stream id or a text search is not.
        var daily = f.StreamId is null && f.Text is null && f.Correlation is null && f.Command is null;

        var from = f.From;
        var to = f.To;
        if (from is null || to is null)
        {
            var range = daily ? await DailyRangeAsync(conn, f, ct) : await RawRangeAsync(conn, f, ct);
            if (range is null) return ActivityHistogramResult.Empty;
            from ??= range.Value.Min;
            to ??= range.Value.Max.AddTicks(10);
        }
        var size = PickBucketSize(to.Value - from.Value);
        // Buckets start at whole multiples of their size (UTC), so bars line up with days and hours.
        var origin = new DateTimeOffset(from.Value.UtcTicks - from.Value.UtcTicks % size.Ticks, TimeSpan.Zero);
        long Index(DateTimeOffset at) => (at.UtcTicks - origin.UtcTicks) / size.Ticks;

        var counts = new Dictionary<long, long>();
        // Whole days from the daily read model, the partial days at either end from the events themselves.
        var wholeFrom = DayCeiling(from.Value);
        var wholeTo = DayFloor(to.Value);
        var raw = new List<(DateTimeOffset From, DateTimeOffset To)>();
        if (daily && size >= TimeSpan.FromDays(1) && wholeFrom < wholeTo)
        {
            await using (var cmd = DailyCommand(conn, f, "select d.day, sum(d.events)", "and d.day >= @dayFrom and d.day < @dayTo group by 1"))
            {
                cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("dayFrom", NpgsqlDbType.Date) { TypedValue = DateOnly.FromDateTime(wholeFrom.UtcDateTime) });
                cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("dayTo", NpgsqlDbType.Date) { TypedValue = DateOnly.FromDateTime(wholeTo.UtcDateTime) });
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var day = new DateTimeOffset(reader.GetFieldValue<DateOnly>(0).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                    var i = Index(day);
                    counts[i] = counts.GetValueOrDefault(i) + reader.GetInt64(1);
                }
            }
            if (from.Value < wholeFrom) raw.Add((from.Value, wholeFrom));
            if (wholeTo < to.Value) raw.Add((wholeTo, to.Value));
        }
        else
        {
            raw.Add((from.Value, to.Value));
        }
        foreach (var (rawFrom, rawTo) in raw)
        {
            await using var cmd = Command(conn, f with { From = rawFrom, To = rawTo },
                "select floor(extract(epoch from e.timestamp - @origin) / @size)::bigint, count(*)", "group by 1");
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("origin", NpgsqlDbType.TimestampTz) { TypedValue = origin });
            cmd.Parameters.Add(new NpgsqlParameter<double>("size", NpgsqlDbType.Double) { TypedValue = size.TotalSeconds });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var i = reader.GetInt64(0);
                counts[i] = counts.GetValueOrDefault(i) + reader.GetInt64(1);
            }
        }
        var n = (int)Math.Ceiling((to.Value - origin).Ticks / (double)size.Ticks);
        var buckets = Enumerable.Range(0, Math.Max(n, 1))
            .Select(i => new ActivityBucket(origin + size * i, origin + size * (i + 1), counts.GetValueOrDefault(i)))
            .ToList();
        return new ActivityHistogramResult(from.Value, to.Value, size, buckets);
    }

    private async Task<(DateTimeOffset Min, DateTimeOffset Max)?> RawRangeAsync(NpgsqlConnection conn, AuditFilter f, CancellationToken ct)
    {
        await using var range = Command(conn, f, "select min(e.timestamp), max(e.timestamp)");
        await using var reader = await range.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return reader.IsDBNull(0) ? null : (reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1));
    }

    /// <summary>
    /// The first and last matching day from the daily read model, then the exact first and last moment from the events
    /// of those two days only (an actor's first event would otherwise mean reading all of that actor's events).
    /// </summary>
    private async Task<(DateTimeOffset Min, DateTimeOffset Max)?> DailyRangeAsync(NpgsqlConnection conn, AuditFilter f, CancellationToken ct)
    {
        DateOnly first, last;
        await using (var cmd = DailyCommand(conn, f, "select min(d.day), max(d.day)"))
        {
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            if (reader.IsDBNull(0)) return null;
            (first, last) = (reader.GetFieldValue<DateOnly>(0), reader.GetFieldValue<DateOnly>(1));
        }
        DateTimeOffset Start(DateOnly d) => new(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var min = await RawRangeAsync(conn, f with { From = Start(first), To = Start(first).AddDays(1) }, ct);
        var max = await RawRangeAsync(conn, f with { From = Start(last), To = Start(last).AddDays(1) }, ct);
        // Events the read model counted are in the table; should a day have been emptied meanwhile, the day's edge stands in.
        return (min?.Min ?? Start(first), max?.Max ?? Start(last).AddDays(1).AddTicks(-10));
    }

    private static DateTimeOffset DayFloor(DateTimeOffset at) => new(at.UtcDateTime.Date, TimeSpan.Zero);

    private static DateTimeOffset DayCeiling(DateTimeOffset at)
    {
        var floor = DayFloor(at);
        return floor == at ? floor : floor.AddDays(1);
    }

    /// <summary>The filter's actor, event type and stream type over the daily read model (<c>d</c>); <paramref name="tail"/> adds conditions and grouping.</summary>
    private NpgsqlCommand DailyCommand(NpgsqlConnection conn, AuditFilter f, string select, string tail = "")
    {
        var cmd = new NpgsqlCommand { Connection = conn };
        var where = new List<string> { "true" };
        void Add(string sql, string name, string value)
        {
            where.Add(sql);
            cmd.Parameters.Add(new NpgsqlParameter<string>(name, NpgsqlDbType.Text) { TypedValue = value });
        }
        if (f.Actor is { } a) Add("d.user_name = @actor", "actor", a);
        if (f.EventType is { } et) Add("d.event_type = @eventType", "eventType", AuditTypeNames.Logical(et));
        if (f.StreamType is { } st) Add("d.stream_type = @streamType", "streamType", st);
        cmd.CommandText = $"{select} from {Schema}.{DailyActivityProjection.TableName} d where {string.Join(" and ", where)} {tail}";
        return cmd;
    }

    public static TimeSpan PickBucketSize(TimeSpan range) =>
        BucketSizes.FirstOrDefault(s => range.Ticks / (double)s.Ticks <= MaxBuckets - 1, BucketSizes[^1]);

    private NpgsqlCommand Command(NpgsqlConnection conn, AuditFilter f, string select, string tail = "")
    {
        var cmd = new NpgsqlCommand { Connection = conn };
        var where = new List<string> { "true" };
        void Add<T>(string sql, string name, T value, NpgsqlDbType type)
        {
            where.Add(sql);
            cmd.Parameters.Add(new NpgsqlParameter<T>(name, type) { TypedValue = value });
        }
        if (f.Actor is { } a) Add("e.user_name = @actor", "actor", a, NpgsqlDbType.Varchar);
        // Every stored version of the type, as the explorer filters it (the per-day rows hold the type's one name).
        if (f.EventType is { } et)
            Add("e.type = any(@eventType)", "eventType", AuditTypeNames.Stored(AuditTypeNames.Logical(et)), NpgsqlDbType.Array | NpgsqlDbType.Varchar);
        // A stream type whose events are known by their type needs no join (a 7-day window is some 40,000 joins at 1M events).
        var typesOfStream = AuditTypeNames.OnlyOn(f.StreamType);
        if (typesOfStream is not null) Add("e.type = any(@streamTypeEvents)", "streamTypeEvents", typesOfStream, NpgsqlDbType.Array | NpgsqlDbType.Varchar);
        else if (f.StreamType is { } st) Add("s.type = @streamType", "streamType", st, NpgsqlDbType.Varchar);
        if (f.StreamId is { } id) Add("e.stream_id = @streamId", "streamId", id, NpgsqlDbType.Uuid);
        if (f.Correlation is { } c) Add("e.correlation_id = @correlation", "correlation", c, NpgsqlDbType.Varchar);
        if (f.Command is { } command) Add("e.causation_id = @command", "command", command, NpgsqlDbType.Varchar);
        if (f.From is { } from) Add("e.timestamp >= @from", "from", from.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        if (f.To is { } to) Add("e.timestamp < @to", "to", to.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        if (f.Text is { } text)
            Add("(e.data::text ilike @text or e.user_name ilike @text)", "text", "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%", NpgsqlDbType.Text);
        var join = f.StreamType is null || typesOfStream is not null ? "" : $"left join {Schema}.mt_streams s on s.id = e.stream_id";
        cmd.CommandText = $"{select} from {Schema}.mt_events e {join} where {string.Join(" and ", where)} {tail}";
        return cmd;
    }
}
