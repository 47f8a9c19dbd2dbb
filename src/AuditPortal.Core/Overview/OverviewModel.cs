using AuditPortal.Core.Projections;

namespace AuditPortal.Core.Overview;

/// <summary>Which overview groups the caller sees: one per persona whose key permission they hold on the portal's list.</summary>
public sealed record OverviewPersonas(bool Support, bool Auditor, bool Admin)
{
    public bool Any => Support || Auditor || Admin;
}

/// <summary>Credits moved in a period: sums and how many grants and spends made them.</summary>
public sealed record CreditTotals(long Granted, long Spent, int Grants, int Spends);

/// <summary>
/// One event as a tile lists it: what, who, when, and where it lives (for the link to its permalink).
/// <see cref="ActorName"/> is the actor's display name from their sign-ins, shown beside the subject; null when none is known.
/// </summary>
public sealed record OverviewEvent(long Sequence, string EventType, string Actor, DateTimeOffset At, Guid StreamId, string StreamType, string Summary,
    string? ActorName = null);

/// <summary>Which version of the read models a group's figures come from; the page labels any but the current one.</summary>
public enum ReadModelSource
{
    /// <summary>The current tables, complete (a bulk rebuild fills shadow tables and leaves these until its switch).</summary>
    Current = 0,
    /// <summary>The previous version, complete as of the upgrade, while the new one is built.</summary>
    Previous = 1,
    /// <summary>The new version while it is built: the previous version has no such table, so the figures are incomplete.</summary>
    Building = 2,
}

/// <summary>Support: credits granted and spent today and this week, wallets changed today, the caller's last actions.</summary>
public sealed record SupportOverview(
    DateTimeOffset DayStart, DateTimeOffset WeekStart, CreditTotals Today, CreditTotals ThisWeek, int WalletsChangedToday,
    IReadOnlyList<OverviewEvent> MyLastActions, ReadModelSource Source = ReadModelSource.Current);

/// <summary>Events on one UTC day.</summary>
public sealed record DailyCount(DateOnly Day, long Events);

/// <summary>An actor and how many events they caused in the period; <see cref="ActorName"/> as in <see cref="OverviewEvent"/>.</summary>
public sealed record ActorCount(string Actor, long Events, string? ActorName = null);

/// <summary>
/// Auditor: events per day, the most active actors and the sensitive events of the last week: portal access (changes to
/// the portal's own list, refusals, sign-in locks), exports and rebuilds in <paramref name="SensitiveEvents"/>; changes to
/// the marketplace's wallet/job lists, which decide nothing in the portal, apart in <paramref name="MarketplaceListChanges"/>.
/// </summary>
public sealed record AuditorOverview(
    DateTimeOffset From, DateTimeOffset To, IReadOnlyList<DailyCount> EventsPerDay,
    DateTimeOffset ActorsFrom, IReadOnlyList<ActorCount> MostActiveActors,
    DateTimeOffset SensitiveFrom, IReadOnlyList<OverviewEvent> SensitiveEvents,
    IReadOnlyList<OverviewEvent>? MarketplaceListChanges = null, ReadModelSource Source = ReadModelSource.Current);

/// <summary>
/// Admin: projection health, the latest changes to access-control lists, and (with the projections half, when the
/// host gives sealer bounds) whether event sealing keeps up: <see cref="SealingProblem"/> null means it does.
/// </summary>
public sealed record AdminOverview(IReadOnlyList<ProjectionStatus>? Projections, IReadOnlyList<OverviewEvent>? AclChanges,
    Integrity.SealStatus? Sealing = null, string? SealingProblem = null);
