using AuditPortal.Core.Database;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using Marten;
using Marten.Services;

namespace AuditPortal.Core.Integrity;

/// <summary>
/// Every event the portal writes is bound to it: an HMAC-SHA256 in the event's <see cref="Header"/> header over its
/// stream, version, id, type, .NET type, body, user, correlation, causation and tenant, under Integrity:EventKey. The
/// database checks it on insert (a BEFORE INSERT trigger owned by the schema owner, reading the key from a table the
/// runtime role cannot read) and refuses an event without a valid binding, so the runtime database credential alone
/// cannot add history. The trigger also sets the event's time (the database's clock) and accepts only the sequence
/// number the database drew for the row. The version is signed, so a copy at another place or a copy with a new id
/// needs a new binding; the unique index on event ids refuses an exact copy.
/// </summary>
public sealed class EventBinding
{
    public const string Header = "binding";
    public const string Setting = "Integrity:EventKey";
    public const string KeyTable = "mt_event_binding_key";
    public const string TriggerFunction = "mt_bind_event";
    public const string KeyIdFunction = "mt_event_binding_key_id";
    public const int MinimumKeyBytes = 32;
    /// <summary>The SQLSTATE of every refusal by the trigger.</summary>
    public const string RefusedSqlState = "APB01";

    private const string Version1 = "auditportal-event-v1";

    private readonly byte[] _key;

    public EventBinding(byte[] key)
    {
        if (key.Length < MinimumKeyBytes) throw new FormatException($"{Setting} must be at least {MinimumKeyBytes} bytes.");
        _key = key;
        KeyId = Fingerprint(key);
    }

    /// <summary>What the database stores and shows of the key: the first 16 hex digits of its SHA-256.</summary>
    public string KeyId { get; }

    public static string Fingerprint(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key))[..16];

    /// <summary>Base64 or hex, at least <see cref="MinimumKeyBytes"/> bytes.</summary>
    public static byte[] ParseKey(string text)
    {
        text = text.Trim();
        byte[] key;
        try { key = text.Length % 2 == 0 && text.All(Uri.IsHexDigit) ? Convert.FromHexString(text) : Convert.FromBase64String(text); }
        catch (FormatException) { throw new FormatException($"{Setting} is neither base64 nor hex."); }
        if (key.Length < MinimumKeyBytes) throw new FormatException($"{Setting} must be at least {MinimumKeyBytes} bytes (base64 or hex); it has {key.Length}.");
        return key;
    }

    /// <summary>The binding of the store built from these options (<see cref="Register"/>), or null without a key.</summary>
    public static EventBinding? For(IDocumentStore store) => Common.PortalStoreState.Of(store).Binding;

    /// <summary>Binds every event saved through stores built from <paramref name="opts"/>; <paramref name="state"/> is the store's, which then knows it.</summary>
    public static void Register(StoreOptions opts, byte[]? key, Common.PortalStoreState state)
    {
        if (key is not { Length: > 0 }) return;
        var binding = new EventBinding(key);
        state.Binding = binding;
        opts.Listeners.Add(new Listener(binding, opts));
    }

    /// <summary>
    /// The HMAC, base64. <paramref name="timestamp"/> only for an import run as the schema owner that keeps each
    /// event's historic time (the runtime role's events get the database's time, which is then not signed).
    /// </summary>
    public string Compute(Guid streamId, long version, Guid eventId, string type, string dotnetType, string jsonbData,
        string? userName, string? correlationId, string? causationId, string tenantId, DateTimeOffset? timestamp)
    {
        var sb = new StringBuilder(Version1, 256 + jsonbData.Length);
        Field(sb, streamId.ToString("D"));
        Field(sb, version.ToString(CultureInfo.InvariantCulture));
        Field(sb, eventId.ToString("D"));
        Field(sb, type);
        Field(sb, dotnetType);
        Field(sb, jsonbData);
        Field(sb, userName);
        Field(sb, correlationId);
        Field(sb, causationId);
        Field(sb, tenantId);
        Field(sb, timestamp is { } t ? TimestampText(t) : null);
        return Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(sb.ToString())));
    }

    /// <summary>
    /// Stamps the binding on <paramref name="e"/> at <paramref name="version"/> of <paramref name="streamId"/>; its
    /// type names and metadata must be final. Returns the time it took (the bulk paths report the cost per event).
    /// </summary>
    public TimeSpan Stamp(IEvent e, Guid streamId, long version, string tenantId, ISerializer serializer, bool signTimestamp)
    {
        var started = Stopwatch.GetTimestamp();
        if (e.EventTypeName is not { Length: > 0 } type || e.DotNetTypeName is not { Length: > 0 } dotnetType)
            throw new InvalidOperationException($"Event {e.Id} has no type name yet, so it cannot be bound.");
        var data = JsonbText.Canonicalize(serializer.ToJson(e.Data));
        e.SetHeader(Header, Compute(streamId, version, e.Id, type, dotnetType, data, e.UserName, e.CorrelationId, e.CausationId, tenantId,
            signTimestamp ? e.Timestamp : null));
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>UTC with microseconds, as PostgreSQL stores it (ticks below a microsecond are dropped, as Npgsql does).</summary>
    public static string TimestampText(DateTimeOffset t)
    {
        var utc = t.UtcDateTime;
        utc = new DateTime(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc);
        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
    }

    private static void Field(StringBuilder sb, string? value)
    {
        if (value is null) { sb.Append('~'); return; }
        sb.Append('|').Append(Encoding.UTF8.GetByteCount(value).ToString(CultureInfo.InvariantCulture)).Append(':').Append(value);
    }

    /// <summary>
    /// Binds each pending event of a session just before it is saved. Its version must be known here: a new stream
    /// starts at 1, an append needs the version it expects (FetchForWriting, or Append with an expected version).
    /// </summary>
    private sealed class Listener(EventBinding binding, StoreOptions opts) : DocumentSessionListenerBase
    {
        public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
        {
            var serializer = opts.Serializer();
            foreach (var stream in session.PendingChanges.Streams())
            {
                long? before = stream.ActionType == StreamActionType.Start ? 0 : stream.ExpectedVersionOnServer;
                if (before is not { } version)
                    throw new InvalidOperationException(
                        $"An append to stream {stream.Id} states no expected version, so its events cannot be bound to the portal: use FetchForWriting or Append(id, expectedVersion, ...).");
                var tenant = stream.TenantId ?? session.TenantId;
                foreach (var e in stream.Events)
                {
                    // What Marten stamps from the session when it saves; set first so that the signed values are the stored ones.
                    e.UserName ??= session.LastModifiedBy;
                    e.CorrelationId ??= session.CorrelationId;
                    e.CausationId ??= session.CausationId;
                    binding.Stamp(e, stream.Id, ++version, tenant, serializer, signTimestamp: false);
                }
            }
            return Task.CompletedTask;
        }
    }

    // ----- The database side, created by the apply step as the schema owner -----

    /// <summary>
    /// As the schema owner: pgcrypto, the key table (no privilege for anyone else), the trigger and the function that
    /// tells a node the key's fingerprint. The first key stored stays: another key fails here, naming the setting.
    /// Events already in the table are before <c>bound_from</c>: written before binding existed.
    /// </summary>
    public static async Task EnsureAsync(NpgsqlConnection owner, string schema, byte[] key, CancellationToken ct = default)
    {
        await owner.ExecAsync("create extension if not exists pgcrypto with schema public", ct);
        await using (var find = new NpgsqlCommand("select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pgcrypto'", owner))
        {
            var crypto = (string)(await find.ExecuteScalarAsync(ct))!;
            await using var tx = await owner.BeginTransactionAsync(ct);
            await owner.ExecAsync(CreateSql(schema, crypto), ct);
            var keyId = Fingerprint(key);
            await using (var stored = new NpgsqlCommand($"select key_id from {Q(schema)}.{KeyTable} limit 1", owner))
            {
                var existing = await stored.ExecuteScalarAsync(ct) as string;
                if (existing is not null && existing != keyId)
                    throw new InvalidOperationException(
                        $"{Setting} is not the key this database binds its events with (database key {existing}, configured key {keyId}). " +
                        $"Every node and the apply step must use the same {Setting}.");
                if (existing is null)
                {
                    await using var insert = new NpgsqlCommand(
                        $"""
                        insert into {Q(schema)}.{KeyTable} (key_id, key, bound_from)
                        select @id, @key, case when s.is_called then s.last_value + 1 else s.last_value end from {Q(schema)}.mt_events_sequence s
                        """, owner);
                    insert.Parameters.AddWithValue("id", keyId);
                    insert.Parameters.AddWithValue("key", key);
                    await insert.ExecuteNonQueryAsync(ct);
                }
            }
            await tx.CommitAsync(ct);
        }
    }

    /// <summary>
    /// As any role, at a node's start: the node's key must be the database's, else it could write nothing (every
    /// append refused) and would fail later with a confusing message; say which setting is wrong instead.
    /// </summary>
    /// <param name="requireBinding">False before the apply step (a fresh database has no binding yet).</param>
    public static async Task CheckNodeKeyAsync(NpgsqlConnection conn, string schema, byte[]? key, bool requireBinding, CancellationToken ct = default)
    {
        string? stored = null;
        bool exists;
        // A fresh database: no schema yet, or (before the apply step's grants) none this role may use.
        await using (var find = new NpgsqlCommand($"""
            select case when not exists (select 1 from pg_namespace where nspname = @schema) then false
                        when not has_schema_privilege(@schema, 'USAGE') then false
                        else to_regprocedure({Literal(Q(schema) + "." + KeyIdFunction + "()")}) is not null end
            """, conn))
        {
            find.Parameters.AddWithValue("schema", schema);
            exists = (bool)(await find.ExecuteScalarAsync(ct))!;
        }
        if (exists)
        {
            await using var cmd = new NpgsqlCommand($"select {Q(schema)}.{KeyIdFunction}()", conn);
            stored = await cmd.ExecuteScalarAsync(ct) as string;
        }
        if (stored is null)
        {
            if (requireBinding && key is { Length: > 0 }) throw new InvalidOperationException($"The database has no event binding key although {Setting} is set: run the apply step (apply-schema) with {Setting}.");
            return;
        }
        if (key is not { Length: > 0 })
            throw new InvalidOperationException($"{Setting} is not set, but this database binds its events with key {stored}: set {Setting} to the key the other nodes use.");
        if (Fingerprint(key) != stored)
            throw new InvalidOperationException(
                $"{Setting} of this node (key {Fingerprint(key)}) is not the key this database binds its events with (key {stored}): " +
                $"every node must use the same {Setting}; this node would have every event it writes refused.");
    }

    /// <summary>The first sequence number bound; events below it were written before binding existed (null: no binding).</summary>
    public static async Task<long?> BoundFromAsync(NpgsqlConnection owner, string schema, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand($"select bound_from from {Q(schema)}.{KeyTable} limit 1", owner);
        return await cmd.ExecuteScalarAsync(ct) as long?;
    }

    public static string CreateSql(string schema, string cryptoSchema)
    {
        var s = Q(schema);
        var hmac = $"{Q(cryptoSchema)}.hmac";
        static string F(string expr) => $"case when {expr} is null then '~' else '|' || octet_length({expr})::text || ':' || {expr} end";
        var message = $"'{Version1}' || {F("NEW.stream_id::text")} || {F("NEW.version::text")} || {F("NEW.id::text")} || {F("NEW.type")} || " +
                      $"{F("NEW.mt_dotnet_type")} || {F("NEW.data::text")} || {F("NEW.user_name")} || {F("NEW.correlation_id")} || " +
                      $"{F("NEW.causation_id")} || {F("NEW.tenant_id")}";
        var timestamp = "to_char(NEW.timestamp at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')";
        return $"""
            create table if not exists {s}.{KeyTable} (
              key_id text primary key,
              key bytea not null,
              bound_from bigint not null,
              created_at timestamptz not null default now()
            );
            revoke all on {s}.{KeyTable} from public;

            create or replace function {s}.{KeyIdFunction}() returns text
            language sql stable security definer set search_path = pg_catalog, pg_temp
            as $fn$ select key_id from {s}.{KeyTable} order by created_at limit 1 $fn$;

            -- Runs as the schema owner whoever inserts; session_user is the role that logged in.
            create or replace function {s}.{TriggerFunction}() returns trigger
            language plpgsql security definer set search_path = pg_catalog, pg_temp as $fn$
            declare
              k bytea;
              given bytea;
              base text;
              owner_or_superuser boolean;
              drawn bigint;
              previous text;
            begin
              select b.key into k from {s}.{KeyTable} b order by b.created_at limit 1;
              if k is null then
                raise exception 'event % refused: the database has no event binding key', NEW.id using errcode = '{RefusedSqlState}';
              end if;
              owner_or_superuser := session_user = current_user or exists (select 1 from pg_roles where rolname = session_user and rolsuper);

              -- The sequence number must be the one this session just drew (Marten's appends draw it for the row);
              -- the owner's bulk import draws a block first, so for it any number it drew, in increasing order.
              begin
                drawn := currval('{s}.mt_events_sequence');
              exception when object_not_in_prerequisite_state then
                drawn := null;
              end;
              previous := current_setting('auditportal.last_bound_seq', true);
              if drawn is null or NEW.seq_id is null or NEW.seq_id > drawn
                 or (not owner_or_superuser and NEW.seq_id <> drawn)
                 or (coalesce(previous, '') <> '' and NEW.seq_id <= previous::bigint) then
                raise exception 'event % refused: sequence % is not the one the database drew for it', NEW.id, NEW.seq_id using errcode = '{RefusedSqlState}';
              end if;
              perform set_config('auditportal.last_bound_seq', NEW.seq_id::text, true);
              if NEW.is_archived then
                raise exception 'event % refused: an event is not written archived', NEW.id using errcode = '{RefusedSqlState}';
              end if;

              begin
                given := decode(NEW.headers ->> '{Header}', 'base64');
              exception when others then
                given := null;
              end;
              if given is not null then
                base := {message};
                if given = {hmac}(convert_to(base || '~', 'UTF8'), k, 'sha256') then
                  -- The database's clock, never the caller's.
                  NEW.timestamp := now();
                  return NEW;
                end if;
                -- Only the schema owner (a historic import) keeps a time of its own, and then it is signed.
                if owner_or_superuser and given = {hmac}(convert_to(base || {F(timestamp)}, 'UTF8'), k, 'sha256') then
                  return NEW;
                end if;
              end if;
              raise exception 'event % (%) on stream % refused: not bound to the portal (its "{Header}" header is missing or does not match its stream, version, id, type, body, user, correlation, causation and tenant)',
                NEW.id, NEW.type, NEW.stream_id using errcode = '{RefusedSqlState}';
            end
            $fn$;

            drop trigger if exists {TriggerFunction} on {s}.mt_events;
            create trigger {TriggerFunction} before insert on {s}.mt_events for each row execute function {s}.{TriggerFunction}();
            """;
    }

    private static string Q(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
    private static string Literal(string value) => "'" + value.Replace("'", "''") + "'";
}
