using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace AuditPortal.Core.Wallets;

public enum TransactionKind
{
    Grant,
    Spend,
}

/// <summary>One line of a wallet's transaction history.</summary>
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
}

/// <summary>
/// One WalletTransaction document per grant or spend, written as one multi-row insert per daemon batch
/// (Marten's per-document upsert made this the slowest rebuild). The document id is the event id and rows are
/// insert-only, so a retried batch inserts nothing twice (<c>on conflict do nothing</c>).
/// </summary>
public sealed class WalletTransactionProjection(string schema) : IProjection
{
    public const string ProjectionName = "WalletTransaction";

    /// <summary>Marten's document table for <see cref="WalletTransaction"/>.</summary>
    public string QualifiedTableName => $"{schema}.mt_doc_wallettransaction";

    public static WalletTransaction? ToTransaction(IEvent e) => e.Data switch
    {
        CreditsGranted g => new()
        {
            Id = e.Id, WalletId = e.StreamId, Version = e.Version, Sequence = e.Sequence, Kind = TransactionKind.Grant,
            Amount = g.Amount, Type = g.Type, JobId = g.TypeMetadata?.JobId, Actor = g.GrantedBy, At = g.GrantedAt, Reason = g.Reason,
        },
        CreditsSpent s => new()
        {
            Id = e.Id, WalletId = e.StreamId, Version = e.Version, Sequence = e.Sequence, Kind = TransactionKind.Spend,
            Amount = s.Amount, Type = s.Type, JobId = s.TypeMetadata?.JobId, Actor = s.SpentBy, At = s.SpentAt, Reason = s.Reason,
        },
        _ => null,
    };

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var ids = new List<Guid>(events.Count);
        var data = new List<string>(events.Count);
        foreach (var e in events)
        {
            if (ToTransaction(e) is not { } t) continue;
            ids.Add(t.Id);
            data.Add(System.Text.Encoding.UTF8.GetString(WalletTransactionJson.ToUtf8(t)));
        }
        if (ids.Count == 0) return;

        // The table is written with SQL, so Marten never gets to create it on first use.
        await operations.Database.EnsureStorageExistsAsync(typeof(WalletTransaction), cancellation);
        operations.QueueSqlCommand($"""
            insert into {QualifiedTableName} (id, data, mt_dotnet_type)
            select id, data::jsonb, ? from unnest(?::uuid[], ?::text[]) as t(id, data)
            on conflict (id) do nothing
            """, $"{typeof(WalletTransaction).FullName}, {typeof(WalletTransaction).Assembly.GetName().Name}", ids.ToArray(), data.ToArray());
    }
}
