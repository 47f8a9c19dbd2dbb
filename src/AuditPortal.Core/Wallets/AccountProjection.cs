using Marten.Events.Projections;
using Weasel.Postgresql.Tables;

namespace AuditPortal.Core.Wallets;

/// <summary>
/// A plain relational table of balances, so that
/// <c>select aggregate_id, credits from account_projection where credits > 0</c> runs unchanged in psql.
/// </summary>
/// <remarks>
/// One SQL statement per daemon batch instead of one upsert per event (a rebuild was 40× slower as a
/// FlatTableProjection). Marten commits the statement with the batch's progression, so a retried batch
/// rolls back with it; <c>last_sequence</c> also makes the statement skip every event a row already holds,
/// so replaying an applied event never counts it twice. The rows come from <see cref="Fold"/>, the fold the bulk
/// rebuild uses too.
/// </remarks>
public sealed class AccountProjection(string schema) : IProjection
{
    public const string TableName = "account_projection";
    public const string ProjectionName = nameof(AccountProjection);

    public string Schema { get; } = schema;
    public string QualifiedTableName => $"{Schema}.{TableName}";

    public Table BuildTable()
    {
        var table = new Table(QualifiedTableName);
        table.AddColumn<Guid>("aggregate_id").AsPrimaryKey();
        table.AddColumn<int>("credits").NotNull().DefaultValue(0);
        table.AddColumn<string>("owner");
        table.AddColumn<DateTimeOffset>("last_changed_at");
        table.AddColumn<long>("last_sequence").NotNull().DefaultValue(0);
        table.Indexes.Add(new IndexDefinition("ix_account_projection_credits") { Columns = ["credits"] });
        return table;
    }

    /// <summary>A wallet's row as the fold builds it: over a whole history (the bulk pass) or over one daemon batch.</summary>
    public struct Row
    {
        public int Credits;
        public string? Owner;
        public DateTimeOffset LastChangedAt;
        public long LastSequence;
    }

    /// <summary>
    /// The one fold of this read model, used by both writers: the bulk pass folds every event of a wallet into its row;
    /// the daemon folds each event of a batch into an empty row (its change) and <see cref="ApplyAsync"/>'s statement
    /// merges the changes into the stored row the same way (credits summed, the last owner named, the last time and
    /// sequence). False when the event changes nothing.
    /// </summary>
    public static bool Fold(ref Row row, object data, long sequence)
    {
        switch (data)
        {
            case WalletOpened o:
                row.Owner = o.Owner;
                row.LastChangedAt = o.OpenedAt;
                break;
            case CreditsGranted g:
                row.Credits = checked(row.Credits + g.Amount);
                row.LastChangedAt = g.GrantedAt;
                break;
            case CreditsSpent s:
                row.Credits = checked(row.Credits - s.Amount);
                row.LastChangedAt = s.SpentAt;
                break;
            default:
                return false;
        }
        row.LastSequence = sequence;
        return true;
    }

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        // Each event's row change is the fold of that one event; the statement merges the changes of the events a row
        // does not hold yet (per event, not per batch: a retried batch may overlap what was applied) as the fold would.
        var ids = new List<Guid>(events.Count);
        var sequences = new List<long>(events.Count);
        var deltas = new List<int>(events.Count);
        var owners = new List<string?>(events.Count);
        var changed = new List<DateTimeOffset>(events.Count);
        foreach (var e in events)
        {
            var change = new Row();
            if (!Fold(ref change, e.Data, e.Sequence)) continue;
            ids.Add(e.StreamId);
            sequences.Add(e.Sequence);
            deltas.Add(change.Credits);
            owners.Add(change.Owner);
            // timestamptz parameters must be UTC for Npgsql.
            changed.Add(change.LastChangedAt.ToUniversalTime());
        }
        if (ids.Count == 0) return Task.CompletedTask;

        operations.QueueSqlCommand($"""
            with e as (
                select * from unnest(?::uuid[], ?::bigint[], ?::int[], ?::text[], ?::timestamptz[]) as e(id, seq, delta, owner, changed_at)),
            fresh as (
                select e.* from e left join {QualifiedTableName} a on a.aggregate_id = e.id
                where e.seq > coalesce(a.last_sequence, 0)),
            w as (
                select id, sum(delta)::int as delta, (array_agg(owner order by seq desc) filter (where owner is not null))[1] as owner,
                       max(seq) as seq, (array_agg(changed_at order by seq desc))[1] as changed_at
                from fresh group by id)
            insert into {QualifiedTableName} as a (aggregate_id, credits, owner, last_changed_at, last_sequence)
            select id, delta, owner, changed_at, seq from w
            on conflict (aggregate_id) do update set
                credits = a.credits + excluded.credits,
                owner = coalesce(excluded.owner, a.owner),
                last_changed_at = excluded.last_changed_at,
                last_sequence = excluded.last_sequence
            """, ids.ToArray(), sequences.ToArray(), deltas.ToArray(), owners.ToArray(), changed.ToArray());
        return Task.CompletedTask;
    }
}
