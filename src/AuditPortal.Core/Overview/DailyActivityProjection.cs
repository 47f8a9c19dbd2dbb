using Marten.Events.Projections;
using Weasel.Postgresql.Tables;

namespace AuditPortal.Core.Overview;

/// <summary>
/// Events per UTC day, actor, event type and stream type, with the credits they moved: the overview's charts and the
/// explorer's histogram sum a few thousand of these rows instead of counting up to a million events (a whole year's
/// histogram went from hundreds of milliseconds to a few). Derived from the events like every read model, rebuilt
/// with the others; never an audit record of its own.
/// </summary>
/// <remarks>
/// One SQL statement per daemon batch (as <see cref="AccountProjection"/>): each event's key and counts come from
/// <see cref="Fold"/>, the fold the bulk rebuild uses too, and are merged into the stored rows per key, the stream type read from mt_streams. <c>last_sequence</c> per row makes the statement skip every event
/// a row already counted, so a replayed batch never counts twice.
/// </remarks>
public sealed class DailyActivityProjection(string schema) : IProjection
{
    public const string TableName = "overview_daily_activity";
    public const string ProjectionName = "DailyActivity";

    public string Schema { get; } = schema;
    public string QualifiedTableName => $"{Schema}.{TableName}";

    public Table BuildTable()
    {
        var table = new Table(QualifiedTableName);
        table.AddColumn("day", "date").AsPrimaryKey();
        table.AddColumn("user_name", "text").AsPrimaryKey();
        table.AddColumn("event_type", "text").AsPrimaryKey();
        table.AddColumn("stream_type", "text").AsPrimaryKey();
        table.AddColumn<long>("events").NotNull().DefaultValue(0);
        table.AddColumn<long>("amount").NotNull().DefaultValue(0);
        table.AddColumn<long>("last_sequence").NotNull().DefaultValue(0);
        return table;
    }

    /// <summary>The credits an event moved (0 for every event that moves none).</summary>
    public static long Amount(object? data) => data switch { CreditsGranted g => g.Amount, CreditsSpent s => s.Amount, _ => 0 };

    /// <summary>The UTC day an event counts for: Marten's own timestamp, as the explorer filters it.</summary>
    public static DateOnly Day(DateTimeOffset timestamp) => DateOnly.FromDateTime(timestamp.UtcDateTime);

    /// <summary>One row's counts: events, the credits they moved, the last sequence counted.</summary>
    public struct Counts
    {
        public long Events;
        public long Amount;
        public long LastSequence;
    }

    /// <summary>
    /// The one fold of this read model, used by both writers: an event counts once under its key (<see cref="Day"/>, its
    /// actor, its type's one name whichever version stored it, its stream's type). The bulk pass counts every event into
    /// its row; the daemon folds each event of a batch into empty counts and <see cref="ApplyAsync"/>'s statement merges
    /// them into the stored rows as <see cref="Merge"/> does.
    /// </summary>
    public static void Fold(ref Counts row, object? data, long sequence)
    {
        row.Events++;
        row.Amount += Amount(data);
        row.LastSequence = sequence;
    }

    /// <summary>Two counts of one key as one (the statement's <c>on conflict</c> does the same in SQL).</summary>
    public static void Merge(ref Counts into, in Counts other)
    {
        into.Events += other.Events;
        into.Amount += other.Amount;
        into.LastSequence = Math.Max(into.LastSequence, other.LastSequence);
    }

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        if (events.Count == 0) return Task.CompletedTask;
        var sequences = new long[events.Count];
        var streams = new Guid[events.Count];
        var days = new DateOnly[events.Count];
        var users = new string[events.Count];
        var types = new string[events.Count];
        var counts = new long[events.Count];
        var amounts = new long[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            // Each event's key and its counts (the fold of that one event); the statement merges those a row does not
            // hold yet per key, as Merge does. Marten's own timestamp, as the explorer filters it; the type's one name.
            var change = new Counts();
            Fold(ref change, e.Data, e.Sequence);
            sequences[i] = e.Sequence;
            streams[i] = e.StreamId;
            days[i] = Day(e.Timestamp);
            users[i] = e.UserName ?? "";
            types[i] = AuditTypeNames.Logical(e.EventTypeName);
            counts[i] = change.Events;
            amounts[i] = change.Amount;
        }
        operations.QueueSqlCommand($"""
            with e as (
                select * from unnest(?::bigint[], ?::uuid[], ?::date[], ?::text[], ?::text[], ?::bigint[], ?::bigint[])
                    as e(seq, stream_id, day, user_name, event_type, events, amount)),
            k as (
                select e.day, e.user_name, e.event_type, coalesce(s.type, '') as stream_type, e.seq, e.events, e.amount
                from e left join {Schema}.mt_streams s on s.id = e.stream_id),
            fresh as (
                select k.* from k left join {QualifiedTableName} a
                    on a.day = k.day and a.user_name = k.user_name and a.event_type = k.event_type and a.stream_type = k.stream_type
                where k.seq > coalesce(a.last_sequence, 0))
            insert into {QualifiedTableName} as a (day, user_name, event_type, stream_type, events, amount, last_sequence)
            select day, user_name, event_type, stream_type, sum(events), sum(amount), max(seq) from fresh
            group by day, user_name, event_type, stream_type
            on conflict (day, user_name, event_type, stream_type) do update set
                events = a.events + excluded.events,
                amount = a.amount + excluded.amount,
                last_sequence = greatest(a.last_sequence, excluded.last_sequence)
            """, sequences, streams, days, users, types, counts, amounts);
        return Task.CompletedTask;
    }
}
