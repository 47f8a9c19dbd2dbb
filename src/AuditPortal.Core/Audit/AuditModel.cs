namespace AuditPortal.Core.Audit;

/// <summary>What the explorer filters by; every part optional. Kept simple so it can travel in a URL and in an event.</summary>
public sealed record AuditFilter
{
    public string? Actor { get; init; }
    public string? StreamType { get; init; }
    public string? EventType { get; init; }
    public Guid? StreamId { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public string? Text { get; init; }
    /// <summary>One operation: the events of one command, or of a request, its decision and its change (they share it).</summary>
    public string? Correlation { get; init; }
    /// <summary>One command: the events whose causation id is this command id (a refusal of it included).</summary>
    public string? Command { get; init; }

    public static AuditFilter None { get; } = new();

    /// <summary>Longest value any one filter may have: longer ones are refused before a query runs.</summary>
    public const int MaxValueLength = 200;

    /// <summary>Null when every value is within <see cref="MaxValueLength"/>, else a message naming the filter.</summary>
    public string? LengthProblem()
    {
        foreach (var (name, value) in new[] { ("actor", Actor), ("stream type", StreamType), ("event type", EventType), ("text", Text), ("correlation", Correlation), ("command", Command) })
        {
            if (value is { Length: > MaxValueLength })
                return $"The {name} filter is {value.Length} characters long; at most {MaxValueLength} are allowed.";
        }
        return null;
    }

    public AuditFilter Normalized() => this with
    {
        Actor = Blank(Actor), StreamType = Blank(StreamType), EventType = Blank(EventType), Text = Blank(Text), Correlation = Blank(Correlation), Command = Blank(Command),
    };

    public string Describe()
    {
        var parts = new List<string>();
        if (Actor is not null) parts.Add($"actor={Actor}");
        if (StreamType is not null) parts.Add($"streamType={StreamType}");
        if (EventType is not null) parts.Add($"eventType={EventType}");
        if (StreamId is not null) parts.Add($"streamId={StreamId}");
        if (From is not null) parts.Add($"from={From:O}");
        if (To is not null) parts.Add($"to={To:O}");
        if (Text is not null) parts.Add($"text={Text}");
        if (Correlation is not null) parts.Add($"correlation={Correlation}");
        if (Command is not null) parts.Add($"command={Command}");
        return parts.Count == 0 ? "(no filter)" : string.Join("; ", parts);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>One row of the audit feed: an event of any stream, with who, when and a one-line summary.</summary>
public sealed record AuditEntry(
    long Sequence, string StreamType, Guid StreamId, long Version, string EventType, string Actor,
    DateTimeOffset Timestamp, string? CorrelationId, string? CausationId, string Summary);

/// <summary>
/// A page of the feed, newest first; <see cref="NextBefore"/> is the keyset cursor for the next page.
/// <see cref="Notice"/> says when the text search covered only part of the feed (see AuditLimits.TextScanEvents).
/// </summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? NextBefore, string? Notice = null, IReadOnlyDictionary<string, string>? DisplayNames = null)
{
    /// <summary>The display name of an actor on this page (from their sign-ins, <see cref="AccessControl.SignInLog.DisplayNamesAsync"/>), or null.</summary>
    public string? DisplayNameOf(string actor) => DisplayNames?.GetValueOrDefault(actor.Trim().ToLowerInvariant());
}

/// <summary>Bounds on what one request may read (Audit:MaxExportRows, Audit:TextScanEvents).</summary>
public sealed record AuditLimits(int MaxExportRows = 100_000, int TextScanEvents = 200_000)
{
    public static AuditLimits Default { get; } = new();

    public string TextScanNotice => $"The text search looked at the newest {TextScanEvents:N0} events only; add a time window or a stream to search further back.";
}

/// <summary>
/// One event in full: payload (as stored, never upcast) and headers pretty-printed as JSON text, and the type name it is
/// stored under (<c>credits_granted</c> for a v1 grant, <c>credits_granted_v2</c> for a v2 one; the entry shows the type's name).
/// </summary>
public sealed record AuditEventDetail(AuditEntry Entry, Guid EventId, string? DotNetType, string PayloadJson, string? HeadersJson,
    string? StoredType = null)
{
    /// <summary>The version of the event's shape its stored type name says (v1 unless the name carries one).</summary>
    public int Version => AuditTypeNames.VersionOf(StoredType ?? Entry.EventType);
}
