using Marten.Events.Projections;
using Weasel.Postgresql.Tables;

namespace AuditPortal.Core.Wallets;

public enum TransactionKind
{
    Grant,
    Spend,
}

/// <summary>One line of a wallet's transaction history: one row of <c>wallet_transaction</c>.</summary>
public sealed class WalletTransaction
{
    public Guid Id { get; set; }
    public Guid WalletId { get; set; }
    public long Version { get; set; }
    public long Sequence { get; set; }
    public TransactionKind Kind { get; set; }
    public int Amount { get; set; }
    public string Type { get; set; } = "";
    public Guid? JobId { get; set; }
    public string Actor { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Reason { get; set; } = "";
    /// <summary>Where a grant's credits came from (a v1 grant reads its upcast value); null for a spend.</summary>
    public GrantSource? Source { get; set; }
}

/// <summary>
/// The wallets' transaction history as a plain table, one row per grant or spend, written as one multi-row insert per
/// daemon batch. Plain columns rather than a Marten document: a rebuild copies 840,000 of these rows, and parsing each
/// as jsonb and indexing fields inside it was most of the rebuild's database work. The key is the event's sequence and
/// rows are insert-only, so a retried batch inserts nothing twice (<c>on conflict do nothing</c>).
/// </summary>
public sealed class WalletTransactionProjection(string schema) : IProjection
{
    public const string ProjectionName = "WalletTransaction";
    public const string TableName = "wallet_transaction";

    // The table's columns, each once: name, PostgreSQL type, whether it may be null. The first is the key.
    private static readonly (string Name, string Type, bool Nullable)[] Layout =
    [
        ("sequence", "bigint", false), ("id", "uuid", false), ("wallet_id", "uuid", false), ("version", "bigint", false),
        ("kind", "text", false), ("amount", "integer", false), ("type", "text", false), ("job_id", "uuid", true),
        ("actor", "text", false), ("at", "timestamp with time zone", false), ("reason", "text", false), ("source", "text", true),
    ];

    /// <summary>The columns in the order the projection, the bulk rebuild and <see cref="Read"/> use them.</summary>
    public static readonly string[] Columns = [.. Layout.Select(c => c.Name)];

    public string QualifiedTableName => $"{schema}.{TableName}";

    public Table BuildTable()
    {
        var table = new Table(QualifiedTableName);
        table.AddColumn(Layout[0].Name, Layout[0].Type).AsPrimaryKey();
        foreach (var (name, type, nullable) in Layout.Skip(1))
        {
            var column = table.AddColumn(name, type);
            if (!nullable) column.NotNull();
        }
        // A wallet's page reads its newest lines: one index range, already in order.
        table.Indexes.Add(new IndexDefinition("ix_wallet_transaction_wallet") { Columns = ["wallet_id", "sequence"] });
        // Only job launches and refunds name a job.
        table.Indexes.Add(new IndexDefinition("ix_wallet_transaction_job") { Columns = ["job_id"], Predicate = "job_id is not null" });
        return table;
    }

    /// <summary>
    /// The one fold of this read model: the row an event adds (null for an event that adds none). The daemon inserts a
    /// batch's rows (<see cref="ApplyAsync"/>), the bulk pass encodes them for its COPY, and a wallet's history served
    /// while a previous version of the read models serves maps its own events with it.
    /// </summary>
    public static WalletTransaction? ToTransaction(IEvent e) => e.Data switch
    {
        CreditsGranted g => new()
        {
            Id = e.Id, WalletId = e.StreamId, Version = e.Version, Sequence = e.Sequence, Kind = TransactionKind.Grant,
            Amount = g.Amount, Type = g.Type, JobId = g.TypeMetadata?.JobId, Actor = g.GrantedBy, At = g.GrantedAt, Reason = g.Reason,
            Source = g.Source,
        },
        CreditsSpent s => new()
        {
            Id = e.Id, WalletId = e.StreamId, Version = e.Version, Sequence = e.Sequence, Kind = TransactionKind.Spend,
            Amount = s.Amount, Type = s.Type, JobId = s.TypeMetadata?.JobId, Actor = s.SpentBy, At = s.SpentAt, Reason = s.Reason,
        },
        _ => null,
    };

    /// <summary>A row selected as <see cref="Columns"/>, in that order.</summary>
    public static WalletTransaction Read(NpgsqlDataReader r) => new()
    {
        Sequence = r.GetInt64(0), Id = r.GetGuid(1), WalletId = r.GetGuid(2), Version = r.GetInt64(3),
        Kind = Enum.Parse<TransactionKind>(r.GetString(4)), Amount = r.GetInt32(5), Type = r.GetString(6),
        JobId = r.IsDBNull(7) ? null : r.GetGuid(7), Actor = r.GetString(8), At = r.GetFieldValue<DateTimeOffset>(9), Reason = r.GetString(10),
        Source = r.IsDBNull(11) ? null : Enum.Parse<GrantSource>(r.GetString(11)),
    };

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var rows = events.Select(ToTransaction).OfType<WalletTransaction>().ToArray();
        if (rows.Length == 0) return Task.CompletedTask;
        operations.QueueSqlCommand($"""
            insert into {QualifiedTableName} ({string.Join(", ", Columns)})
            select * from unnest(?::bigint[], ?::uuid[], ?::uuid[], ?::bigint[], ?::text[], ?::int[], ?::text[], ?::uuid[], ?::text[], ?::timestamptz[], ?::text[], ?::text[])
            on conflict (sequence) do nothing
            """,
            rows.Select(t => t.Sequence).ToArray(), rows.Select(t => t.Id).ToArray(), rows.Select(t => t.WalletId).ToArray(),
            rows.Select(t => t.Version).ToArray(), rows.Select(t => t.Kind.ToString()).ToArray(), rows.Select(t => t.Amount).ToArray(),
            rows.Select(t => t.Type).ToArray(), rows.Select(t => t.JobId).ToArray(), rows.Select(t => t.Actor).ToArray(),
            // timestamptz parameters must be UTC for Npgsql.
            rows.Select(t => t.At.ToUniversalTime()).ToArray(), rows.Select(t => t.Reason).ToArray(), rows.Select(t => t.Source?.ToString()).ToArray());
        return Task.CompletedTask;
    }
}
