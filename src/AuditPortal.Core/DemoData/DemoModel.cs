namespace AuditPortal.Core.DemoData;

/// <summary>A fixed portal user of the demo and the persona it ends the history with (null: granted, then revoked).</summary>
public sealed record DemoUser(string Name, Permission[]? FinalPersona);

/// <summary>The fixed portal users of the demo (also the names offered by demo sign-in), each with its final persona.</summary>
public static class DemoUsers
{
    public static readonly DemoUser Admin = new("admin", Personas.Admin);
    public static readonly DemoUser Dave = new("dave", Personas.Admin);
    public static readonly DemoUser Alice = new("alice", Personas.Support);
    public static readonly DemoUser Sam = new("sam", Personas.Support);
    public static readonly DemoUser Carol = new("carol", Personas.Auditor);
    /// <summary>A former support contractor: granted support early, revoked later, so the history shows a revocation.</summary>
    public static readonly DemoUser Erin = new("erin", FinalPersona: null);

    public static readonly DemoUser[] All = [Admin, Dave, Alice, Sam, Carol, Erin];

    // In the order of All: the generator picks among them by index, so the order keeps a seed's history the same.
    public static readonly string[] Admins = Holding(Personas.Admin);
    public static readonly string[] Support = Holding(Personas.Support);

    /// <summary>The persona each demo user ends the history with on the portal's list.</summary>
    public static readonly IReadOnlyDictionary<string, Permission[]> FinalPersonas =
        All.Where(u => u.FinalPersona is not null).ToDictionary(u => u.Name, u => u.FinalPersona!);

    private static string[] Holding(Permission[] persona) => [.. All.Where(u => u.FinalPersona == persona).Select(u => u.Name)];
}

/// <summary>
/// What to generate. The same options (seed included) always give the same events, ids and times.
/// <see cref="Events"/> is the exact number of events produced unless the history runs out of things to do first.
/// </summary>
public sealed record DemoOptions
{
    public int Seed { get; init; } = 20261126;
    public int Wallets { get; init; } = 120;
    public int Jobs { get; init; } = 45;
    public int Events { get; init; } = 4000;
    /// <summary>Time of the newest event; the history covers <see cref="History"/> before it.</summary>
    public DateTimeOffset End { get; init; } = new(2026, 11, 20, 17, 0, 0, TimeSpan.Zero);
    public TimeSpan History { get; init; } = TimeSpan.FromDays(180);
    /// <summary>Create the portal's own list and the personas; off when the list already exists (e.g. bootstrapped by a test host).</summary>
    public bool IncludePortalAcl { get; init; } = true;
    /// <summary>Approvals:ExpiryHours of the portal being seeded: the demo's open requests are still open when it starts.</summary>
    public TimeSpan ApprovalExpiry { get; init; } = Approvals.ApprovalPolicy.DefaultExpiry;

    /// <summary>The set the portal seeds into an empty database: 120 wallets, 45 jobs, 4,000 events over six months (months of daily activity for the lists and charts).</summary>
    public static DemoOptions Small => new();

    /// <summary>1,000,000 events over 10,000 wallets and 20,000 jobs, for bulk loading and rebuild measurements.</summary>
    public static DemoOptions Bulk => new() { Wallets = 10_000, Jobs = 20_000, Events = 1_000_000, History = TimeSpan.FromDays(365) };
}

/// <summary>
/// One generated event with what is needed to store it as if a command had appended it: its stream (and the
/// aggregate type to start that stream with), its version in that stream (1 = starts the stream), and the
/// command's metadata. Events of one command share <see cref="CommandId"/> and come one after another.
/// </summary>
public sealed record DemoEvent(
    Guid StreamId, Type StreamType, long Version, object Data, DateTimeOffset At,
    string UserName, Guid CommandId, string CorrelationId)
{
    public bool StartsStream => Version == 1;
}

/// <summary>What <see cref="DemoHistory.SeedAsync"/> wrote.</summary>
/// <param name="BindingTime">Time spent binding the events to the portal (<see cref="Integrity.EventBinding"/>), for the cost per event.</param>
public sealed record DemoSeedSummary(int Events, int Commands, int Wallets, int Jobs, int AccessControlLists, DateTimeOffset? From, DateTimeOffset? To,
    TimeSpan BindingTime = default);
