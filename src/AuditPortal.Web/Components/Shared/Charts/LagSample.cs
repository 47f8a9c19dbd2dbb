namespace AuditPortal.Web.Components.Shared.Charts;

/// <summary>One look at the daemon: the largest lag of any projection (events behind the high-water mark) and how fast events arrive.</summary>
public sealed record LagSample(DateTimeOffset At, long LagEvents, double EventsPerSecond);
