using JasperFx.Events;
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

public sealed partial class WalletTransactionProjection : EventProjection
{
    // An event projection is otherwise named after its full type name; the short name matches the other read models.
    public WalletTransactionProjection() => Name = "WalletTransaction";

    public WalletTransaction Create(IEvent<CreditsGranted> e) => new()
    {
        Id = e.Id, WalletId = e.StreamId, Version = e.Version, Sequence = e.Sequence, Kind = TransactionKind.Grant,
        Amount = e.Data.Amount, Type = e.Data.Type, JobId = e.Data.TypeMetadata?.JobId, Actor = e.Data.GrantedBy, At = e.Data.GrantedAt, Reason = e.Data.Reason,
    };

    public WalletTransaction Create(IEvent<CreditsSpent> e) => new()
    {
        Id = e.Id, WalletId = e.StreamId, Version = e.Version, Sequence = e.Sequence, Kind = TransactionKind.Spend,
        Amount = e.Data.Amount, Type = e.Data.Type, JobId = e.Data.TypeMetadata?.JobId, Actor = e.Data.SpentBy, At = e.Data.SpentAt, Reason = e.Data.Reason,
    };
}
