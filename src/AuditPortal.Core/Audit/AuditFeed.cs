using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Common;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace AuditPortal.Core.Audit;

/// <summary>What the audit pages read; the portal's implementation is <see cref="AuditFeed"/>.</summary>
public interface IAuditReader
{
    Task<AuditPage> QueryAsync(AuditFilter filter, long? before = null, int limit = AuditFeed.DefaultPageSize, CancellationToken ct = default);
    Task<AuditEventDetail?> GetAsync(long sequence, CancellationToken ct = default);
}

/// <summary>
/// The audit feed straight over Marten's own event table: the event stream is the audit trail, so nothing is copied.
/// Newest first with keyset paging on seq_id, which stays fast however deep the reader pages (no OFFSET).
/// Only the filters present become SQL predicates, so each query can use its own index (see AuditIndexes).
/// </summary>
public sealed class AuditFeed(IDocumentStore store, TimeProvider time) : IAuditReader
{
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
        limit = Math.Clamp(limit, 1, MaxPageSize);
        var rows = new List<AuditEntry>(limit);
        await foreach (var row in ReadAsync(filter, before, limit + 1, ct))
            rows.Add(row);
        // One row more than asked tells whether another page exists without a count over the whole table.
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        return new AuditPage(rows, hasMore ? rows[^1].Sequence : null);
    }

    /// <summary>Every row matching the filter, newest first, read as it is written out (exports).</summary>
    public IAsyncEnumerable<AuditEntry> ReadAllAsync(AuditFilter filter, CancellationToken ct = default) => ReadAsync(filter, null, null, ct);

    public async Task<AuditEventDetail?> GetAsync(long sequence, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"""
            select e.seq_id, s.type, e.stream_id, e.version, e.type, e.user_name, e.timestamp, e.correlation_id, e.causation_id,
                   e.data, e.id, e.mt_dotnet_type, e.headers
            from {Schema}.mt_events e left join {Schema}.mt_streams s on s.id = e.stream_id
            where e.seq_id = @seq
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("seq", NpgsqlDbType.Bigint) { TypedValue = sequence });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var entry = ReadEntry(reader, out var data);
        var headers = reader.IsDBNull(12) ? null : reader.GetString(12);
        if (headers is "null" or "{}") headers = null;
        return new AuditEventDetail(entry, reader.GetGuid(10), reader.IsDBNull(11) ? null : reader.GetString(11),
            PrettyJson(data), headers is null ? null : PrettyJson(headers));
    }

    public async Task<bool> CanExportAsync(Actor actor, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        return await CommandExecutor.IsAllowedAsync(session, actor, Permission.ExportAudit, ct);
    }

    /// <summary>Records an export as an event on a stream of its own: who, when, which filter, format, rows.</summary>
    public async Task<Guid> RecordExportAsync(Actor actor, AuditFilter filter, string format, int rowCount, CancellationToken ct = default)
    {
        var id = Guid.CreateVersion7();
        await using var session = store.LightweightSession();
        session.CorrelationId = actor.CorrelationId;
        session.CausationId = id.ToString();
        session.LastModifiedBy = actor.UserName;
        var normalized = filter.Normalized();
        session.Events.StartStream<AuditLog>(id, new AuditExported(id, actor.UserName, time.GetUtcNow(), format, rowCount, normalized, normalized.Describe()));
        await session.SaveChangesAsync(ct);
        return id;
    }

    /// <summary>The query plan of a filter's first page, for checking that it is served by indexes.</summary>
    public async Task<string> ExplainAsync(AuditFilter filter, long? before = null, int limit = DefaultPageSize, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
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

    private async IAsyncEnumerable<AuditEntry> ReadAsync(AuditFilter filter, long? before, int? limit, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        var seqRange = await SeqRangeAsync(conn, filter, ct);
        if (seqRange is { Low: null }) yield break;
        await using var cmd = BuildQuery(conn, filter, before, limit, seqRange, explain: false);
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

    private NpgsqlCommand BuildQuery(NpgsqlConnection conn, AuditFilter filter, long? before, int? limit, (long? Low, long? High)? seqRange, bool explain)
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
        if (f.EventType is { } eventType) Add("e.type = @eventType", "eventType", eventType, NpgsqlDbType.Varchar);
        if (f.StreamType is { } streamType) Add("s.type = @streamType", "streamType", streamType, NpgsqlDbType.Varchar);
        if (f.StreamId is { } streamId) Add("e.stream_id = @streamId", "streamId", streamId, NpgsqlDbType.Uuid);
        if (f.From is { } from) Add("e.timestamp >= @from", "from", from.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        if (f.To is { } to) Add("e.timestamp < @to", "to", to.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        if (seqRange is ({ } low, { } high))
        {
            Add("e.seq_id >= @seqLow", "seqLow", low, NpgsqlDbType.Bigint);
            Add("e.seq_id <= @seqHigh", "seqHigh", high, NpgsqlDbType.Bigint);
        }
        if (f.Text is { } text)
            Add("(e.data::text ilike @text or e.user_name ilike @text)", "text", "%" + EscapeLike(text) + "%", NpgsqlDbType.Text);

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
        var eventType = reader.GetString(4);
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

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var conn = store.Options.Tenancy.Default.Database.CreateConnection();
        await conn.OpenAsync(ct);
        return conn;
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
