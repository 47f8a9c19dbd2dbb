namespace AuditPortal.Core.Projections;

public sealed record ReadModelChangeFeedSettings
{
    /// <summary>How often a node compares the read models' progress with what it has published, without a notification.</summary>
    public TimeSpan CatchUpInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>First wait before connecting again after the LISTEN connection broke; doubles up to <see cref="CatchUpInterval"/>.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(250);
    /// <summary>A longer range of events (a rebuild, a long outage) is not inspected: every live page reloads once instead.</summary>
    public long MaxEventsInspected { get; init; } = 10_000;
    /// <summary>
    /// How long the node trusts its cached "is a previous version serving?" (<see cref="PreviousVersionCache"/>) after
    /// last hearing its LISTEN connection (a notification or a catch-up round trip): a connection that died silently
    /// stops vouching, and reads probe the catalog again.
    /// </summary>
    public TimeSpan VersionTrust => CatchUpInterval * 2;
}
