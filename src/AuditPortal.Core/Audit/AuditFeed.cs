using AuditPortal.Core.Database;
using System.Runtime.CompilerServices;

namespace AuditPortal.Core.Audit;

/// <summary>What the audit pages read; the portal's implementation is <see cref="AuditFeed"/>.</summary>
public interface IAuditReads
{
    Task<AuditPage> QueryAsync(AuditFilter filter, long? before = null, int limit = AuditFeed.DefaultPageSize, CancellationToken ct = default);
    Task<AuditEventDetail?> GetAsync(long sequence, CancellationToken ct = default);
    /// <summary>Every event sharing <paramref name="correlationId"/>, across streams, as commands and causation tree; needs ReadAudit.</summary>
    Task<AuditOperation> OperationAsync(string correlationId, CancellationToken ct = default);
}

/// <summary>
/// The audit feed straight over Marten's own event table: the event stream is the audit trail, so nothing is copied.
/// Newest first with keyset paging on seq_id, which stays fast however deep the reader pages (no OFFSET).
/// Only the filters present become SQL predicates, so each query can use its own index (see AuditIndexes).
/// Every read checks the caller's permission at the moment it runs (ReadAudit; ExportAudit for exports), so a page
/// left open after a revocation gets <see cref="AccessDeniedException"/> at its next click, never data.
/// </summary>
public sealed class AuditFeed(IDocumentStore store, ICurrentActor caller, AuditLimits? limits = null) : IAuditReads, IPortalReads
{
    private readonly AuditLimits _limits = limits ?? AuditLimits.Default;

    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
    public const int WindowProbe = 50_000;

    private static readonly JsonSerializerOptions Pretty = new()
    {
        WriteIndented = true,
        // Shown as text (HTML-encoded by Razor), so a reason reads as typed, not as \u003C escapes.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private string Schema => store.Options.Events.DatabaseSchemaName;

    public async Task<AuditPage> QueryAsync(AuditFilter filter, long? before = null, int limit = DefaultPageSize, CancellationToken ct = default)
    {
        await DemandAsync(filter.StreamId is { } stream ? ReadersOf(await StreamTypeAsync(stream, ct)) : [Permission.ReadAudit],
            filter.StreamId is { } id ? $"audit:stream:{id}" : "audit", ct);
        limit = Math.Clamp(limit, 1, MaxPageSize);
        var rows = new List<AuditEntry>(limit);
        long? scannedDownTo = null;
        await foreach (var row in ReadAsync(filter, before, limit + 1, ct, low => scannedDownTo = low))
            rows.Add(row);
        // One row more than asked tells whether another page exists without a count over the whole table.
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        // A capped text search that ran out of rows continues below the scanned range on "load more", one bounded
        // range per request.
        var next = hasMore ? rows[^1].Sequence : scannedDownTo is > 0 and var low ? low + 1 : (long?)null;
        // The names people recognise beside the actors of this page: one query for the page, never one per row.
        var names = await DisplayNamesAsync(rows.Select(r => r.Actor), ct);
        return new AuditPage(rows, next, scannedDownTo is not null ? _limits.TextScanNotice : null, names);
    }

    /// <summary>
    /// The display-name lookup an export writes its actor_name column with, one query per batch
    /// (<see cref="AuditExport.DisplayNameLookup"/>); needs ExportAudit at the moment it is asked for, like the export's rows.
    /// </summary>
    public async Task<AuditExport.DisplayNameLookup> ExportDisplayNamesAsync(CancellationToken ct = default)
    {
        await DemandAsync([Permission.ExportAudit], ExportResource, ct);
        return DisplayNamesAsync;
    }

    /// <summary>
    /// The display names of <paramref name="actors"/> from their sign-ins (<see cref="AccessControl.SignInLog.DisplayNamesAsync"/>,
    /// one query), keyed by lower-cased user name; callers have checked the read they name them for.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>> DisplayNamesAsync(IEnumerable<string> actors, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await AccessControl.SignInLog.DisplayNamesAsync(session, actors.Distinct(StringComparer.OrdinalIgnoreCase), ct);
    }

    /// <summary>
    /// The rows an export writes, newest first, at most <paramref name="maxRows"/> (ask one more to learn whether the
    /// limit cut the export short). Needs ExportAudit at the moment the read starts. <paramref name="upTo"/>: only
    /// events up to this sequence number (an evidence export stops at the newest seal).
    /// </summary>
    public async IAsyncEnumerable<AuditEntry> ReadAllAsync(AuditFilter filter, int? maxRows, [EnumeratorCancellation] CancellationToken ct = default, long? upTo = null)
    {
        await DemandAsync([Permission.ExportAudit], ExportResource, ct);
        await foreach (var row in ReadAsync(filter, upTo + 1, maxRows, ct, low => { TextScanCapped = true; TextScanLow = low; })) yield return row;
    }

    /// <summary>
    /// How many rows match, counting at most <paramref name="atMost"/> (ids only, the same bounded text scan as the
    /// read), and whether the text search was capped: what an export says in its headers before its first byte.
    /// </summary>
    public async Task<(int Count, bool TextScanCapped)> CountUpToAsync(AuditFilter filter, int atMost, CancellationToken ct = default, long? upTo = null)
    {
        await DemandAsync([Permission.ExportAudit], ExportResource, ct);
        if (filter.LengthProblem() is { } tooLong) throw new ArgumentException(tooLong, nameof(filter));
        await using var conn = await store.OpenConnectionAsync(ct);
        var seqRange = await SeqRangeAsync(conn, filter, ct);
        if (seqRange is { Low: null }) return (0, false);
        var textLow = await TextScanLowAsync(conn, filter.Normalized(), upTo + 1, seqRange, ct);
        await using var cmd = BuildQuery(conn, filter, upTo + 1, atMost, seqRange, explain: false, textLow);
        cmd.CommandText = $"select count(*) from ({cmd.CommandText}) counted";
        return ((int)(long)(await cmd.ExecuteScalarAsync(ct))!, textLow is not null);
    }

    /// <summary>Every row matching the filter (callers that bound the output themselves, e.g. tests); needs ExportAudit.</summary>
    public IAsyncEnumerable<AuditEntry> ReadAllAsync(AuditFilter filter, CancellationToken ct = default) => ReadAllAsync(filter, null, ct);

    /// <summary>Set by <see cref="ReadAllAsync"/> when its text search covered only part of the feed.</summary>
    public bool TextScanCapped { get; private set; }

    /// <summary>When capped: the sequence number the text search stopped above (exclusive).</summary>
    public long? TextScanLow { get; private set; }

    /// <summary>
    /// Who may read one stream's own history (its timeline, an event's payload, its state as of an event): whoever may
    /// read that kind of record on its page; the whole feed, and any stream of another kind, needs ReadAudit.
    /// </summary>
    public static Permission[] ReadersOf(string? streamType) => AuditTypeNames.StreamOf(streamType) switch
    {
        AuditTypeNames.Wallet => [Permission.ReadWallets, Permission.ReadAudit],
        AuditTypeNames.Job => [Permission.ReadJobs, Permission.ReadAudit],
        AuditTypeNames.AccessControlList => [Permission.EditAccessControl, Permission.ReadAudit],
        _ => [Permission.ReadAudit],
    };

    /// <summary>What a refused export read is recorded as (<see cref="ReadRefusals"/>).</summary>
    public const string ExportResource = "audit:export";

    /// <summary>
    /// One of <paramref name="anyOf"/> for the caller now (<see cref="PortalAccess"/>, which records a refusal of
    /// <paramref name="resource"/>); <see cref="AccessDeniedException"/> naming the last (the widest) otherwise.
    /// </summary>
    private async Task DemandAsync(Permission[] anyOf, string resource, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        await PortalAccess.DemandAsync(session, await caller.GetActorAsync(), resource, ct, anyOf[^1], anyOf[..^1]);
    }

    private async Task<string?> StreamTypeAsync(Guid streamId, CancellationToken ct)
    {
        await using var conn = await store.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand($"select type from {Schema}.mt_streams where id = @id", conn);
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", NpgsqlDbType.Uuid) { TypedValue = streamId });
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    public async Task<AuditEventDetail?> GetAsync(long sequence, CancellationToken ct = default)
    {
        // The event's stream decides who may expand it, so the check comes after the lookup and before anything is returned.
        await using var conn = await store.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"""
            select e.seq_id, s.type, e.stream_id, e.version, e.type, e.user_name, e.timestamp, e.correlation_id, e.causation_id,
                   e.data, e.id, e.mt_dotnet_type, e.headers
            from {Schema}.mt_events e left join {Schema}.mt_streams s on s.id = e.stream_id
            where e.seq_id = @seq
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("seq", NpgsqlDbType.Bigint) { TypedValue = sequence });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            await DemandAsync([Permission.ReadAudit], $"audit:event:{sequence}", ct);
            return null;
        }
        var entry = ReadEntry(reader, out var data);
        await DemandAsync(ReadersOf(entry.StreamType), $"audit:event:{sequence}", ct);
        var headers = reader.IsDBNull(12) ? null : reader.GetString(12);
        if (headers is "null" or "{}") headers = null;
        return new AuditEventDetail(entry, reader.GetGuid(10), reader.IsDBNull(11) ? null : reader.GetString(11),
            PrettyJson(data), headers is null ? null : PrettyJson(headers), reader.GetString(4));
    }

    public async Task<AuditOperation> OperationAsync(string correlationId, CancellationToken ct = default)
    {
        correlationId = correlationId.Trim();
        if (correlationId.Length is 0 or > AuditFilter.MaxValueLength || correlationId.Any(char.IsControl))
            throw new ArgumentException($"\"{correlationId}\" is not a correlation id.", nameof(correlationId));
        // An operation crosses streams of every kind: the whole feed's permission.
        await DemandAsync([Permission.ReadAudit], $"audit:operation:{correlationId}", ct);
        var events = new List<(AuditEntry Entry, Guid EventId)>();
        // The refusals' own record of which command they refused (a refused command has no outcome of its own).
        var refused = new Dictionary<string, string?>();
        await using (var conn = await store.OpenConnectionAsync(ct))
        {
            // Indexed (ix_mt_events_correlation); oldest first, so the tree reads in the order things happened.
            await using var cmd = new NpgsqlCommand(
                $"""
                select e.seq_id, s.type, e.stream_id, e.version, e.type, e.user_name, e.timestamp, e.correlation_id, e.causation_id, e.data, e.id
                from {Schema}.mt_events e left join {Schema}.mt_streams s on s.id = e.stream_id
                where e.correlation_id = @correlation order by e.seq_id limit @limit
                """, conn);
            cmd.Parameters.Add(new NpgsqlParameter<string>("correlation", NpgsqlDbType.Varchar) { TypedValue = correlationId });
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = AuditOperation.MaxEvents + 1 });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var entry = ReadEntry(reader, out var data);
                events.Add((entry, reader.GetGuid(10)));
                if (AuditTypeNames.EventOf(entry.EventType) == AuditTypeNames.CommandDenied && entry.CausationId is { } denied)
                {
                    using var json = JsonDocument.Parse(data);
                    refused[denied] = json.RootElement.TryGetProperty("commandType", out var type) ? type.GetString() : null;
                }
            }
        }
        var truncated = events.Count > AuditOperation.MaxEvents;
        if (truncated) events.RemoveAt(events.Count - 1);

        var commandIds = events.Select(e => Guid.TryParse(e.Entry.CausationId, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).Distinct().ToArray();
        IReadOnlyList<ProcessedCommand> processed;
        await using (var session = store.QuerySession())
            processed = commandIds.Length == 0 ? [] : await session.LoadManyAsync<ProcessedCommand>(ct, commandIds);
        var known = new Dictionary<string, AuditOperation.KnownCommand>();
        foreach (var p in processed) known[p.Id.ToString()] = new(p.CommandType, p.Actor, Accepted: true, Refused: refused.ContainsKey(p.Id.ToString()));
        foreach (var (id, type) in refused)
            if (!known.ContainsKey(id)) known[id] = new(type, null, Accepted: false, Refused: true);

        var names = await DisplayNamesAsync(events.Select(e => e.Entry.Actor), ct);
        return new AuditOperation(correlationId, AuditOperation.Build(events, known), events.Count, truncated, names);
    }

    [EmptyWithoutPermission("whether the export buttons show")]
    public async Task<bool> CanExportAsync(Actor actor, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        return await PortalAccess.IsAllowedAsync(session, actor, Permission.ExportAudit, ct);
    }

    /// <summary>The query plan of a filter's first page, for checking that it is served by indexes.</summary>
    public async Task<string> ExplainAsync(AuditFilter filter, long? before = null, int limit = DefaultPageSize, CancellationToken ct = default)
    {
        // A plan names tables and row estimates: for those who may read the feed.
        await DemandAsync([Permission.ReadAudit], "audit", ct);
        await using var conn = await store.OpenConnectionAsync(ct);
        var seqRange = await SeqRangeAsync(conn, filter, ct);
        await using var cmd = BuildQuery(conn, filter, before, limit, seqRange, explain: true);
        var plan = new StringBuilder();
        await using (var range = SeqRangeCommand(conn, filter, explain: true))
        {
            if (range is not null)
            {
                await using var rangeReader = await range.ExecuteReaderAsync(ct);
                while (await rangeReader.ReadAsync(ct)) plan.AppendLine(rangeReader.GetString(0));
            }
        }
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) plan.AppendLine(reader.GetString(0));
        return plan.ToString();
    }

    private async IAsyncEnumerable<AuditEntry> ReadAsync(AuditFilter filter, long? before, int? limit, [EnumeratorCancellation] CancellationToken ct, Action<long>? textScanCapped = null)
    {
        if (filter.LengthProblem() is { } tooLong) throw new ArgumentException(tooLong, nameof(filter));
        await using var conn = await store.OpenConnectionAsync(ct);
        var seqRange = await SeqRangeAsync(conn, filter, ct);
        if (seqRange is { Low: null }) yield break;
        var textLow = await TextScanLowAsync(conn, filter.Normalized(), before, seqRange, ct);
        if (textLow is { } low) textScanCapped?.Invoke(low);
        await using var cmd = BuildQuery(conn, filter, before, limit, seqRange, explain: false, textLow);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            yield return ReadEntry(reader, out _);
    }

    /// <summary>
    /// Time and sequence grow together, but the planner does not know it: asked for an hour long past, it walks the
    /// primary key back from the newest event. For a window of up to <see cref="WindowProbe"/> events, the exact
    /// sequence range of the window, read in time order from the (timestamp, seq_id) index, bounds that walk; the exact
    /// time predicates still apply. A wider window is left to the plain walk, whose rows are then dense.
    /// Null: no bounds; (null, null): nothing in the window.
    /// </summary>
    private async Task<(long? Low, long? High)?> SeqRangeAsync(NpgsqlConnection conn, AuditFilter filter, CancellationToken ct)
    {
        await using var cmd = SeqRangeCommand(conn, filter, explain: false);
        if (cmd is null) return null;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var count = reader.GetInt64(0);
        if (count == 0) return (null, null);
        return count > WindowProbe ? null : (reader.GetInt64(1), reader.GetInt64(2));
    }

    private NpgsqlCommand? SeqRangeCommand(NpgsqlConnection conn, AuditFilter filter, bool explain)
    {
        var f = filter.Normalized();
        if (f.From is null && f.To is null) return null;
        var cmd = new NpgsqlCommand { Connection = conn };
        var where = new List<string>();
        if (f.From is { } from)
        {
            where.Add("timestamp >= @from");
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", NpgsqlDbType.TimestampTz) { TypedValue = from.ToUniversalTime() });
        }
        if (f.To is { } to)
        {
            where.Add("timestamp < @to");
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", NpgsqlDbType.TimestampTz) { TypedValue = to.ToUniversalTime() });
        }
        cmd.CommandText = $"""
            {(explain ? "explain " : "")}select count(*), min(seq_id), max(seq_id)
            from (select seq_id from {Schema}.mt_events where {string.Join(" and ", where)} order by timestamp limit {WindowProbe + 1}) w
            """;
        return cmd;
    }

    /// <summary>
    /// A text match cannot use an index: without a stream or a time window of at most <see cref="WindowProbe"/> events
    /// it would read the whole payload column. Such a search reads only the <see cref="AuditLimits.TextScanEvents"/>
    /// events below its upper end (the paging cursor, the window's end, or the newest event): a primary-key range.
    /// Null: not capped; else the exclusive lower sequence bound.
    /// </summary>
    private async Task<long?> TextScanLowAsync(NpgsqlConnection conn, AuditFilter f, long? before, (long? Low, long? High)? seqRange, CancellationToken ct)
    {
        if (f.Text is null || f.StreamId is not null || f.Correlation is not null || f.Command is not null || seqRange is ({ }, { })) return null;
        long upper;
        if (before is { } b) upper = b - 1;
        else
        {
            // Time and sequence grow together: the newest event before the window's end, read from the (timestamp, seq_id) index.
            await using var cmd = new NpgsqlCommand(f.To is null
                ? $"select coalesce(max(seq_id), 0) from {Schema}.mt_events"
                : $"select coalesce((select seq_id from {Schema}.mt_events where timestamp < @to order by timestamp desc limit 1), 0)", conn);
            if (f.To is { } to) cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", NpgsqlDbType.TimestampTz) { TypedValue = to.ToUniversalTime() });
            upper = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        var low = upper - _limits.TextScanEvents;
        return low > 0 ? low : null;
    }

    private NpgsqlCommand BuildQuery(NpgsqlConnection conn, AuditFilter filter, long? before, int? limit, (long? Low, long? High)? seqRange, bool explain, long? textLow = null)
    {
        var f = filter.Normalized();
        var cmd = new NpgsqlCommand { Connection = conn };
        var where = new List<string>();
        void Add<T>(string sql, string name, T value, NpgsqlDbType type)
        {
            where.Add(sql);
            cmd.Parameters.Add(new NpgsqlParameter<T>(name, type) { TypedValue = value });
        }

        if (before is { } b) Add("e.seq_id < @before", "before", b, NpgsqlDbType.Bigint);
        if (f.Actor is { } actor) Add("e.user_name = @actor", "actor", actor, NpgsqlDbType.Varchar);
        // Every version of the type: a filter on credits_granted finds v1 and v2 grants alike.
        if (f.EventType is { } eventType)
            Add("e.type = any(@eventType)", "eventType", AuditTypeNames.Stored(AuditTypeNames.Logical(eventType)), NpgsqlDbType.Array | NpgsqlDbType.Varchar);
        if (f.StreamType is { } streamType) Add("s.type = @streamType", "streamType", streamType, NpgsqlDbType.Varchar);
        if (f.StreamId is { } streamId) Add("e.stream_id = @streamId", "streamId", streamId, NpgsqlDbType.Uuid);
        // Indexed (ix_mt_events_correlation): one operation's few events, whatever the size of the store.
        if (f.Correlation is { } correlation) Add("e.correlation_id = @correlation", "correlation", correlation, NpgsqlDbType.Varchar);
        // Indexed (ix_mt_events_causation): the events of one command id.
        if (f.Command is { } command) Add("e.causation_id = @command", "command", command, NpgsqlDbType.Varchar);
        if (f.From is { } from) Add("e.timestamp >= @from", "from", from.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        if (f.To is { } to) Add("e.timestamp < @to", "to", to.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        if (seqRange is ({ } low, { } high))
        {
            Add("e.seq_id >= @seqLow", "seqLow", low, NpgsqlDbType.Bigint);
            Add("e.seq_id <= @seqHigh", "seqHigh", high, NpgsqlDbType.Bigint);
        }
        if (f.Text is { } text)
        {
            Add("(e.data::text ilike @text or e.user_name ilike @text)", "text", "%" + EscapeLike(text) + "%", NpgsqlDbType.Text);
            if (textLow is { } scanLow) Add("e.seq_id > @textLow", "textLow", scanLow, NpgsqlDbType.Bigint);
        }

        var sql = new StringBuilder(explain ? "explain " : "");
        sql.Append($"""
            select e.seq_id, s.type, e.stream_id, e.version, e.type, e.user_name, e.timestamp, e.correlation_id, e.causation_id, e.data
            from {Schema}.mt_events e left join {Schema}.mt_streams s on s.id = e.stream_id
            """);
        if (where.Count > 0) sql.Append(" where ").AppendJoin(" and ", where);
        sql.Append(" order by e.seq_id desc");
        if (limit is { } l)
        {
            sql.Append(" limit @limit");
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = l });
        }
        cmd.CommandText = sql.ToString();
        return cmd;
    }

    private static AuditEntry ReadEntry(NpgsqlDataReader reader, out string data)
    {
        data = reader.IsDBNull(9) ? "null" : reader.GetString(9);
        // The type's one name, whichever version stored it; the detail keeps the stored name.
        var eventType = AuditTypeNames.Logical(reader.GetString(4));
        var actor = reader.IsDBNull(5) ? "" : reader.GetString(5);
        using var json = JsonDocument.Parse(data);
        return new AuditEntry(
            reader.GetInt64(0),
            reader.IsDBNull(1) ? "" : reader.GetString(1),
            reader.GetGuid(2),
            reader.GetInt64(3),
            eventType,
            actor,
            reader.GetFieldValue<DateTimeOffset>(6),
            reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.IsDBNull(8) ? null : reader.GetString(8),
            AuditSummaries.Summarize(eventType, json.RootElement, actor));
    }

    public static string PrettyJson(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(doc.RootElement, Pretty);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
