namespace AuditPortal.Core.Wallets;

public static class SpendTypes
{
    public const string JobLaunch = "jobLaunch";
    public const string Manual = "manual";
}

public static class GrantTypes
{
    public const string Manual = "manual";
    public const string Refund = "refund";
}

/// <summary>Extra facts about why credits moved, e.g. the job a launch paid for.</summary>
public sealed record TypeMetadata(Guid? JobId = null);

public sealed record WalletOpened(Guid WalletId, string Owner, string OpenedBy, DateTimeOffset OpenedAt);

/// <summary>Where granted credits came from; stored as its name (the store writes enums as strings).</summary>
public enum GrantSource
{
    Manual,
    Campaign,
    Refund,
    Approval,
}

/// <summary>
/// Version 2 of the grant, stored as <c>credits_granted_v2</c>: it says where the credits came from. Version 1 events
/// (stored as <c>credits_granted</c>, without a source) stay as they were and are read as this through
/// <see cref="CreditsGrantedV1.Upcast"/> (see Projections/README.md, "Upcasting rules").
/// </summary>
public sealed record CreditsGranted(
    Guid WalletId, int Amount, string Type, TypeMetadata? TypeMetadata, string GrantedBy, DateTimeOffset GrantedAt, string Reason,
    GrantSource Source = GrantSource.Manual);

/// <summary>
/// The grant as the portal stored it before it had a source (stored type name <c>credits_granted</c>). Only read, never
/// appended: Marten deserializes the stored body as this and hands the aggregate and every read model the upcast.
/// </summary>
public sealed record CreditsGrantedV1(
    Guid WalletId, int Amount, string Type, TypeMetadata? TypeMetadata, string GrantedBy, DateTimeOffset GrantedAt, string Reason)
{
    /// <summary>
    /// The source is derived from the old body alone: a refund said so in its type. An approval-made grant cannot be
    /// told from a manual one by its body (the link to the request is in the event's correlation metadata, which an
    /// upcaster does not see), so every other v1 grant reads as Manual, which is what the portal called them then.
    /// </summary>
    public CreditsGranted Upcast() => new(WalletId, Amount, Type, TypeMetadata, GrantedBy, GrantedAt, Reason,
        Type == GrantTypes.Refund ? GrantSource.Refund : GrantSource.Manual);

    /// <summary>The v1 body an older portal wrote for <paramref name="e"/> (the demo and benchmark histories mix both).</summary>
    public static CreditsGrantedV1 Of(CreditsGranted e) => new(e.WalletId, e.Amount, e.Type, e.TypeMetadata, e.GrantedBy, e.GrantedAt, e.Reason);
}

public sealed record CreditsSpent(
    Guid WalletId, int Amount, string Type, TypeMetadata? TypeMetadata, string SpentBy, DateTimeOffset SpentAt, string Reason);

/// <summary>The write-side state of a wallet: only what the decisions need.</summary>
public sealed record Wallet(Guid Id, string Owner, int Balance, DateTimeOffset LastChangedAt)
{
    public static Wallet Create(WalletOpened e) => new(e.WalletId, e.Owner, 0, e.OpenedAt);

    public Wallet Apply(CreditsGranted e) => this with { Balance = checked(Balance + e.Amount), LastChangedAt = e.GrantedAt };

    public Wallet Apply(CreditsSpent e) => this with { Balance = checked(Balance - e.Amount), LastChangedAt = e.SpentAt };
}

/// <summary>Folds a wallet's events outside Marten (pure tests, the demo generator); same rules as Marten's live aggregation: its own Create and Apply methods, through <see cref="EventFold{T}"/>.</summary>
public static class WalletHistory
{
    private static readonly EventFold<Wallet> Fold = new("a wallet");

    public static Wallet? Apply(Wallet? state, object e) => Fold.Apply(state, e);

    public static Wallet? Replay(IEnumerable<object> events) => Fold.Replay(events);
}
