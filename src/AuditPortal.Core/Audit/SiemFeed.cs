using AuditPortal.Core.Database;
using System.Buffers;
using AuditPortal.Core.Projections;
using AuditPortal.Core.ServiceTokens;

namespace AuditPortal.Core.Audit;

/// <summary>Who reads the feed: a signed-in person (checked against the portal's list) or a verified service token.</summary>
public abstract record SiemFeedCaller
{
    public sealed record Person(Actor Actor) : SiemFeedCaller;

    public sealed record Service(ServiceTokenAccess Access) : SiemFeedCaller;
}

/// <summary>What one page delivered: its events, the cursor to ask after next, and the mark it read up to.</summary>
public sealed record SiemFeedPage(int Events, long Next, long HighWater, bool More);

/// <summary>
/// The feed for security tools (SIEM): every event of <c>mt_events</c> in sequence order after a cursor, as NDJSON, one
/// object per line, then one closing line with the next cursor. Read straight from Marten's event table (the event
/// stream is the audit trail; nothing is copied), keyset-paged on seq_id.
/// Delivery is at least once by cursor: a page never reads past Marten's high-water mark, the sequence below which the
/// async daemon has seen every event committed or given up a gap as rolled back; above it an in-flight transaction may
/// still commit an event with a lower seq_id than one already visible, which a cursor past it would skip for ever.
/// Needs ExportAudit: a person's against the portal's list at this moment, a token's among the permissions it was issued with.
/// </summary>
public sealed class SiemFeed(IDocumentStore store, TimeProvider time) : IPortalReads
{
    public const int DefaultLimit = 1_000;
    public const int MaxLimit = 10_000;

    private string Schema => store.Options.Events.DatabaseSchemaName;

    /// <summary>
    /// Checks the caller, then writes the events with <c>after &lt; seq_id &lt;= high-water mark</c>, at most
    /// <paramref name="limit"/>, and the closing line. <paramref name="beforeBody"/> gets the mark before the first byte
    /// (for headers). Throws <see cref="AccessDeniedException"/> before writing anything when refused.
    /// </summary>
    public async Task<SiemFeedPage> WriteAsync(SiemFeedCaller caller, long after, int limit, Stream output, Action<long>? beforeBody = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxLimit);
        await DemandAsync(caller, ct);

        await using var conn = await store.OpenConnectionAsync(ct);
        long highWater;
        await using (var mark = new NpgsqlCommand($"select coalesce((select last_seq_id from {Schema}.mt_event_progression where name = '{ReadModelShards.HighWaterMark}'), 0)", conn))
            highWater = (long)(await mark.ExecuteScalarAsync(ct))!;
        beforeBody?.Invoke(highWater);

        await using var cmd = new NpgsqlCommand(
            $"""
            select e.seq_id, e.id, e.stream_id, (select s.type from {Schema}.mt_streams s where s.id = e.stream_id), e.version, e.type,
                   e.timestamp, e.user_name, e.correlation_id, e.causation_id, e.data
            from {Schema}.mt_events e
            where e.seq_id > @after and e.seq_id <= @high
            order by e.seq_id
            limit @limit
            """, conn);
        // The page is a primary-key range; each event's stream type is one key lookup, so the plan stays the same
        // whatever the statistics say (a join may hash the whole stream table for every page).
        cmd.Parameters.Add(new NpgsqlParameter<long>("after", NpgsqlDbType.Bigint) { TypedValue = after });
        cmd.Parameters.Add(new NpgsqlParameter<long>("high", NpgsqlDbType.Bigint) { TypedValue = highWater });
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = limit });

        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        var count = 0;
        var next = after;
        await using (var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct))
        {
            while (await reader.ReadAsync(ct))
            {
                next = reader.GetInt64(0);
                json.WriteStartObject();
                json.WriteNumber("sequence", next);
                json.WriteString("id", reader.GetGuid(1));
                json.WriteString("stream", reader.GetGuid(2));
                WriteStringOrNull(json, "streamType", reader, 3);
                json.WriteNumber("version", reader.GetInt64(4));
                // The event's name as every reader of the portal knows it, and the version of the shape `data` has
                // (an older version is stored untouched: see the Projections README's upcasting rules).
                var stored = reader.GetString(5);
                json.WriteString("type", AuditTypeNames.Logical(stored));
                json.WriteNumber("typeVersion", AuditTypeNames.VersionOf(stored));
                // UTC, ISO 8601 with its offset (+00:00), as the exports write times.
                json.WriteString("timestamp", reader.GetFieldValue<DateTimeOffset>(6).ToUniversalTime());
                WriteStringOrNull(json, "actor", reader, 7);
                WriteStringOrNull(json, "correlation", reader, 8);
                WriteStringOrNull(json, "causation", reader, 9);
                json.WritePropertyName("data");
                // jsonb's text form is valid JSON: copied as it is, not parsed and written again.
                json.WriteRawValue(reader.IsDBNull(10) ? "null" : reader.GetString(10), skipInputValidation: true);
                json.WriteEndObject();
                EndLine(json, buffer);
                count++;
                if (buffer.WrittenCount >= 60 * 1024)
                {
                    await output.WriteAsync(buffer.WrittenMemory, ct);
                    buffer.ResetWrittenCount();
                }
            }
        }
        var page = new SiemFeedPage(count, next, highWater, next < highWater);
        // The closing line has no "sequence": a consumer tells it from an event by that, and resumes after "next".
        json.WriteStartObject();
        json.WriteNumber("next", page.Next);
        json.WriteNumber("highWater", page.HighWater);
        json.WriteBoolean("more", page.More);
        json.WriteEndObject();
        EndLine(json, buffer);
        await output.WriteAsync(buffer.WrittenMemory, ct);
        await output.FlushAsync(ct);
        return page;
    }

    private static void EndLine(Utf8JsonWriter json, ArrayBufferWriter<byte> buffer)
    {
        json.Flush();
        buffer.Write("\n"u8);
        // A fresh root for the next line (the writer would otherwise separate root values with commas).
        json.Reset(buffer);
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, NpgsqlDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal)) json.WriteNull(name);
        else json.WriteString(name, reader.GetString(ordinal));
    }

    private async Task DemandAsync(SiemFeedCaller caller, CancellationToken ct)
    {
        switch (caller)
        {
            case SiemFeedCaller.Service { Access: var access }:
                if (!access.Permissions.Contains(Permission.ExportAudit) || access.ExpiresAt <= time.GetUtcNow())
                    throw new AccessDeniedException(Permission.ExportAudit);
                return;
            case SiemFeedCaller.Person { Actor: var actor }:
                // The one read check: a signed-in person refused here is recorded like any refused read.
                await using (var session = store.QuerySession())
                    await PortalAccess.DemandAsync(session, actor, "audit:feed", ct, Permission.ExportAudit);
                return;
            default:
                throw new AccessDeniedException(Permission.ExportAudit);
        }
    }
}
