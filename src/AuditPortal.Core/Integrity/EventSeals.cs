using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;

namespace AuditPortal.Core.Integrity;

/// <summary>
/// A hash chain over Marten's event table. Each event gets a row hash (SHA-256 computed by PostgreSQL over a
/// canonical JSON array of its columns) and a chain hash = SHA-256(previous chain hash || row hash), kept in a
/// seal table. An edited, deleted or reordered event breaks the chain at its sequence number.
/// Seals are written only by <see cref="SealFunctionName"/>, a SECURITY DEFINER function owned by the schema owner
/// (the migration role): the runtime role may call it and SELECT seals, never INSERT/UPDATE/DELETE them, so it
/// cannot choose a hash. Only events at or below the ceiling the caller passes (Marten's high-water mark: no
/// transaction below it is still in flight) are sealed; a caller lying about the ceiling can only cause a false
/// alarm later (an event committed into a sealed range is reported), never a forged seal.
/// </summary>
public static class EventSeals
{
    public const string TableName = "mt_event_seals";
    public const string SealFunctionName = "mt_seal_events";
    private const long AdvisoryLockKey = 0x5EA15EA1;

    /// <summary>Version 1 seals (before this change) hashed ten columns; version 2 hashes every column that carries meaning.</summary>
    public const short CurrentHashVersion = 2;

    public static string CreateTableSql(string schema) =>
        $"""
        create table if not exists {Q(schema)}.{TableName} (
          seq_id bigint primary key,
          row_hash bytea not null,
          chain_hash bytea not null,
          sealed_at timestamptz not null default now()
        );
        alter table {Q(schema)}.{TableName} add column if not exists hash_version smallint not null default 1
        """;

    /// <summary>
    /// The sealing function. SECURITY DEFINER with a fixed search_path, so the runtime role's own settings cannot
    /// redirect it; one sealer at a time (advisory lock): on several nodes the others skip the round.
    /// </summary>
    public static string CreateSealFunctionSql(string schema) =>
        $"""
        create or replace function {Q(schema)}.{SealFunctionName}(ceiling bigint, batch_size integer)
        returns bigint language plpgsql security definer set search_path = pg_catalog, pg_temp as $fn$
        declare
          last_seq bigint;
          previous bytea;
          r record;
          sealed bigint := 0;
        begin
          if not pg_try_advisory_xact_lock({AdvisoryLockKey}) then return 0; end if;
          select s.seq_id, s.chain_hash into last_seq, previous from {Q(schema)}.{TableName} s order by s.seq_id desc limit 1;
          if not found then
            last_seq := 0;
            previous := decode(repeat('00', 32), 'hex');
          end if;
          for r in select e.seq_id, {RowHashSql("e")} as row_hash from {Q(schema)}.mt_events e
                   where e.seq_id > last_seq and e.seq_id <= ceiling order by e.seq_id limit batch_size loop
            previous := sha256(previous || r.row_hash);
            insert into {Q(schema)}.{TableName} (seq_id, row_hash, chain_hash, hash_version) values (r.seq_id, r.row_hash, previous, {CurrentHashVersion});
            sealed := sealed + 1;
          end loop;
          return sealed;
        end
        $fn$
        """;

    /// <summary>
    /// The canonical form of one event: a JSON array (quoting makes it unambiguous) of every column that changes
    /// the event's meaning — payload, type (alias and .NET type), stream, version, tenant, archive flag, who and
    /// when, correlation, causation and headers. The timestamp is rendered in UTC with microseconds so that the
    /// session's time zone does not matter.
    /// </summary>
    public static string RowHashSql(string alias) =>
        $"sha256(convert_to(json_build_array({alias}.seq_id, {alias}.id, {alias}.stream_id, {alias}.version, {alias}.type, {alias}.data::text, " +
        $"to_char({alias}.timestamp at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), {alias}.user_name, {alias}.correlation_id, {alias}.causation_id, " +
        $"{alias}.headers::text, {alias}.is_archived, {alias}.mt_dotnet_type, {alias}.tenant_id)::text, 'UTF8'))";

    /// <summary>The version 1 form (ten columns), kept only to verify seals written before version 2.</summary>
    public static string RowHashV1Sql(string alias) =>
        $"sha256(convert_to(json_build_array({alias}.seq_id, {alias}.id, {alias}.stream_id, {alias}.version, {alias}.type, {alias}.data::text, " +
        $"to_char({alias}.timestamp at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), {alias}.user_name, {alias}.correlation_id, {alias}.causation_id)::text, 'UTF8'))";

    public static byte[] Genesis { get; } = new byte[32];

    public static byte[] Chain(byte[] previous, byte[] rowHash)
    {
        Span<byte> buffer = stackalloc byte[64];
        previous.CopyTo(buffer);
        rowHash.CopyTo(buffer[32..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>As the schema owner (the apply step): the seal table and the sealing function.</summary>
    public static async Task EnsureTableAsync(NpgsqlConnection conn, string schema, CancellationToken ct = default)
    {
        await using (var cmd = new NpgsqlCommand(CreateTableSql(schema), conn)) await cmd.ExecuteNonQueryAsync(ct);
        await using (var fn = new NpgsqlCommand(CreateSealFunctionSql(schema), conn)) await fn.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Marten's high-water mark: every event at or below it is committed (or a known gap).</summary>
    public static async Task<long> ReadHighWaterMarkAsync(NpgsqlConnection conn, string schema, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand($"select last_seq_id from {Q(schema)}.mt_event_progression where name = 'HighWaterMark'", conn);
        return await cmd.ExecuteScalarAsync(ct) is long mark ? mark : 0;
    }

    /// <summary>
    /// Seals the events after the last seal up to <paramref name="ceiling"/>, in batches, through the sealing
    /// function (so it works for a role that may not write seals). Returns how many events were sealed.
    /// </summary>
    public static async Task<long> SealAsync(NpgsqlConnection conn, string schema, long ceiling, int batchSize = 10_000, CancellationToken ct = default)
    {
        long total = 0;
        while (true)
        {
            await using var cmd = new NpgsqlCommand($"select {Q(schema)}.{SealFunctionName}(@ceiling, @n)", conn) { CommandTimeout = 0 };
            cmd.Parameters.AddWithValue("ceiling", ceiling);
            cmd.Parameters.AddWithValue("n", batchSize);
            var sealedNow = await cmd.ExecuteScalarAsync(ct) is long n ? n : 0;
            total += sealedNow;
            if (sealedNow < batchSize) return total;
        }
    }

    /// <summary>The newest seal: its sequence number and chain hash (what a checkpoint publishes).</summary>
    public static async Task<(long Sequence, string Head)?> ReadHeadAsync(NpgsqlConnection conn, string schema, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand($"select seq_id, chain_hash from {Q(schema)}.{TableName} order by seq_id desc limit 1", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return (reader.GetInt64(0), Convert.ToHexStringLower((byte[])reader[1]));
    }

    /// <summary>
    /// Recomputes every row hash from the events as they are now and the chain from them, comparing with the seals.
    /// Reports the first sequence number where the two disagree (edited, deleted, inserted or moved event, or an
    /// edited seal), and how many events are not sealed yet. <paramref name="expectedHeads"/> are chain heads
    /// recorded outside the database (checkpoints, <c>--expect-head</c>): each must equal the chain recomputed from
    /// the events at its sequence number (or anywhere, when none is given), which a rewritten chain cannot.
    /// </summary>
    public static async Task<VerificationResult> VerifyAsync(NpgsqlConnection conn, string schema, IReadOnlyCollection<ExpectedHead>? expectedHeads = null, CancellationToken ct = default)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var cmd = new NpgsqlCommand(
            $"""
            select coalesce(e.seq_id, s.seq_id), e.seq_id is not null, s.seq_id is not null,
                   case when e.seq_id is null then null when s.hash_version = 1 then {RowHashV1Sql("e")} else {RowHashSql("e")} end,
                   s.row_hash, s.chain_hash
            from {Q(schema)}.mt_events e full join {Q(schema)}.{TableName} s on s.seq_id = e.seq_id
            order by 1
            """, conn) { CommandTimeout = 0 };
        await using var reader = await cmd.ExecuteReaderAsync(ct);

        var atSequence = (expectedHeads ?? []).Where(h => h.Sequence is not null).GroupBy(h => h.Sequence!.Value).ToDictionary(g => g.Key, g => g.ToList());
        var anywhere = (expectedHeads ?? []).Where(h => h.Sequence is null).ToList();
        var found = new HashSet<ExpectedHead>();
        var headProblems = new List<string>();

        var previous = Genesis;
        long verified = 0, unsealed = 0, firstUnsealed = 0, lastSealed = 0;
        Tampering? first = null;
        while (await reader.ReadAsync(ct))
        {
            var seq = reader.GetInt64(0);
            var hasEvent = reader.GetBoolean(1);
            var hasSeal = reader.GetBoolean(2);
            if (!hasSeal)
            {
                if (unsealed++ == 0) firstUnsealed = seq;
                continue;
            }
            var storedRow = (byte[])reader[4];
            var storedChain = (byte[])reader[5];
            lastSealed = seq;
            // The chain as the events say, independent of the stored seals: what recorded heads are compared with.
            byte[]? recomputed = null;
            if (hasEvent)
            {
                recomputed = Chain(previous, (byte[])reader[3]);
                previous = recomputed;
            }
            if (first is null)
            {
                if (unsealed > 0)
                    first = new Tampering(firstUnsealed, "an event without a seal sits before sealed events (inserted, or its sequence number was changed)");
                else if (!hasEvent)
                    first = new Tampering(seq, "the sealed event is missing (deleted, or its sequence number was changed)");
                else if (!((byte[])reader[3]).AsSpan().SequenceEqual(storedRow))
                    first = new Tampering(seq, "the event's content differs from when it was sealed (edited or moved)");
                else if (!recomputed!.AsSpan().SequenceEqual(storedChain))
                    first = new Tampering(seq, "the seal chain is broken here (a seal was edited, removed or reordered)");
                if (first is null) verified++;
            }
            if (recomputed is not null)
            {
                var hex = Convert.ToHexStringLower(recomputed);
                if (atSequence.TryGetValue(seq, out var expected))
                {
                    foreach (var head in expected)
                    {
                        found.Add(head);
                        if (!string.Equals(head.Head, hex, StringComparison.OrdinalIgnoreCase))
                            headProblems.Add($"the chain recomputed from the events at sequence {seq} is {hex}, but {head.Source} recorded {head.Head} (history before it was rewritten)");
                    }
                }
                foreach (var head in anywhere.Where(h => string.Equals(h.Head, hex, StringComparison.OrdinalIgnoreCase))) found.Add(head);
            }
            unsealed = 0;
        }
        foreach (var head in (expectedHeads ?? []).Where(h => !found.Contains(h)))
        {
            headProblems.Add(head.Sequence is { } at
                ? $"{head.Source} recorded head {head.Head} at sequence {at}, which has no sealed event now (deleted, or not sealed yet)"
                : $"{head.Source} recorded head {head.Head}, which the chain recomputed from the events never reaches (history rewritten)");
        }
        // Events without seals after the last seal are the tail still waiting for the sealer, not tampering.
        return new VerificationResult(verified, unsealed, lastSealed, first, Convert.ToHexStringLower(previous), started.Elapsed, headProblems);
    }

    private static string Q(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}

public sealed record Tampering(long SequenceNumber, string Problem);

/// <summary>A chain head recorded outside the database: by a signed checkpoint, or given by hand (<c>--expect-head</c>).</summary>
public sealed record ExpectedHead(string Head, long? Sequence, string Source);

public sealed record VerificationResult(
    long VerifiedEvents, long UnsealedEvents, long LastSealedSequence, Tampering? FirstTampering, string ChainHead, TimeSpan Elapsed,
    IReadOnlyList<string>? HeadProblems = null)
{
    /// <summary>Seals agree with the events and every recorded head is on the chain the events give.</summary>
    public bool Intact => FirstTampering is null && (HeadProblems is null || HeadProblems.Count == 0);
}
