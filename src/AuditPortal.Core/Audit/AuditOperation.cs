namespace AuditPortal.Core.Audit;

/// <summary>
/// One event of an operation with the events it caused: an event whose causation id is another event's id hangs
/// below that event.
/// </summary>
public sealed record OperationEvent(AuditEntry Entry, Guid EventId, IReadOnlyList<OperationEvent> Caused);

/// <summary>
/// One command of an operation: its id (the causation id its events carry), what the portal knows of it (its type and
/// who issued it, from its recorded outcome or its refusal) and the events it caused directly, in sequence order.
/// </summary>
public sealed record OperationCommand(string CommandId, string? CommandType, string? IssuedBy, CommandOutcome Outcome, IReadOnlyList<OperationEvent> Events)
{
    public long FirstSequence => Events.Count == 0 ? long.MaxValue : Events[0].Entry.Sequence;
}

public enum CommandOutcome
{
    /// <summary>Events without a known command (e.g. written by the system, or before outcomes were kept).</summary>
    Unknown,
    Accepted,
    Refused,
    /// <summary>Refused once, then accepted under the same command id (a retry after the permission was granted).</summary>
    RefusedThenAccepted,
}

/// <summary>
/// Every event sharing one correlation id, across streams, as a tree: commands (by causation id) → their events →
/// the events those caused. <see cref="StartedBy"/> is the command of the operation's first event.
/// </summary>
public sealed record AuditOperation(string CorrelationId, IReadOnlyList<OperationCommand> Commands, int EventCount, bool Truncated,
    IReadOnlyDictionary<string, string>? DisplayNames = null)
{
    public const int MaxEvents = 1000;

    public OperationCommand? StartedBy => Commands.Count == 0 ? null : Commands[0];

    /// <summary>What the portal recorded of one command id: its accepted type and actor, or its refusal.</summary>
    public sealed record KnownCommand(string? CommandType, string? IssuedBy, bool Accepted, bool Refused);

    /// <summary>
    /// Pure: the tree of <paramref name="events"/> (sequence order). An event whose causation id names another event of
    /// the operation goes below it; every other event goes below its command (its causation id, "" when it has none).
    /// </summary>
    public static IReadOnlyList<OperationCommand> Build(IReadOnlyList<(AuditEntry Entry, Guid EventId)> events, IReadOnlyDictionary<string, KnownCommand> commands)
    {
        var byEventId = events.Select(e => e.EventId).ToHashSet();
        var children = new Dictionary<Guid, List<(AuditEntry, Guid)>>();
        var roots = new Dictionary<string, List<(AuditEntry, Guid)>>();
        foreach (var e in events)
        {
            if (Guid.TryParse(e.Entry.CausationId, out var cause) && cause != e.EventId && byEventId.Contains(cause))
                (children.TryGetValue(cause, out var list) ? list : children[cause] = []).Add(e);
            else
                (roots.TryGetValue(e.Entry.CausationId ?? "", out var list) ? list : roots[e.Entry.CausationId ?? ""] = []).Add(e);
        }

        var visited = new HashSet<Guid>();
        OperationEvent Node((AuditEntry Entry, Guid EventId) e) =>
            new(e.Entry, e.EventId, visited.Add(e.EventId) && children.TryGetValue(e.EventId, out var caused) ? caused.Select(Node).ToList() : []);

        return roots.Select(r =>
            {
                var known = commands.GetValueOrDefault(r.Key);
                var outcome = known switch
                {
                    { Accepted: true, Refused: true } => CommandOutcome.RefusedThenAccepted,
                    { Accepted: true } => CommandOutcome.Accepted,
                    { Refused: true } => CommandOutcome.Refused,
                    _ => CommandOutcome.Unknown,
                };
                return new OperationCommand(r.Key, known?.CommandType, known?.IssuedBy ?? r.Value[0].Item1.Actor, outcome, r.Value.Select(Node).ToList());
            })
            .OrderBy(c => c.FirstSequence)
            .ToList();
    }
}
