using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;

namespace AuditPortal.Core.Integrity;

/// <summary>
/// A hash chain over Marten's event table. Each event gets a row hash (SHA-256 computed by PostgreSQL over a
/// canonical JSON array of its columns) and a chain hash = SHA-256(previous chain hash || row hash), kept in a
/// seal table the runtime role may only append to. An edited, deleted or reordered event breaks the chain at its
/// sequence number. Only events at or below Marten's high-water mark are sealed: below it no transaction is
/// still in flight, so no gap can be filled later.
/// </summary>
public static class EventSeals
{
    public const string TableName = "mt_event_seals";
    private const long AdvisoryLockKey = 0x5EA15EA1;

    public static string CreateTableSql(string schema) =>
        $"""
        create table if not exists {Q(schema)}.{TableName} (
          seq_id bigint primary key,
          row_hash bytea not null,
          chain_hash bytea not null,
          sealed_at timestamptz not null default now()
        )
        """;

    /// <summary>
    /// The canonical form of one event: a JSON array (quoting makes it unambiguous) of its columns, the timestamp
    /// in UTC with microseconds so that the session's time zone does not matter.
    /// </summary>
    public static string RowHashSql(string alias) =>
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

    public static async Task EnsureTableAsync(NpgsqlConnection conn, string schema, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand(CreateTableSql(schema), conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Marten's high-water mark: every event at or below it is committed (or a known gap).</summary>
    public static async Task<long> ReadHighWaterMarkAsync(NpgsqlConnection conn, string schema, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand($"select last_seq_id from {Q(schema)}.mt_event_progression where name = 'HighWaterMark'", conn);
        return await cmd.ExecuteScalarAsync(ct) is long mark ? mark : 0;
    }

    /// <summary>
    /// Seals the events after the last seal up to <paramref name="ceiling"/>, in batches. One sealer at a time
    /// (advisory lock): on several nodes the others skip the round. Returns how many events were sealed.
    /// </summary>
    public static async Task<long> SealAsync(NpgsqlConnection conn, string schema, long ceiling, int batchSize = 10_000, CancellationToken ct = default)
    {
        long total = 0;
        while (true)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using (var lockCmd = new NpgsqlCommand("select pg_try_advisory_xact_lock(@k)", conn, tx))
            {
                lockCmd.Parameters.AddWithValue("k", AdvisoryLockKey);
                if (await lockCmd.ExecuteScalarAsync(ct) is not true) return total;
            }

            long lastSeq = 0;
            var previous = Genesis;
            await using (var last = new NpgsqlCommand($"select seq_id, chain_hash from {Q(schema)}.{TableName} order by seq_id desc limit 1", conn, tx))
            await using (var reader = await last.ExecuteReaderAsync(ct))
            {
                if (await reader.ReadAsync(ct))
                {
                    lastSeq = reader.GetInt64(0);
                    previous = (byte[])reader[1];
                }
            }
            if (lastSeq >= ceiling) return total;

            var seqs = new List<long>(batchSize);
            var rows = new List<byte[]>(batchSize);
            var chains = new List<byte[]>(batchSize);
            await using (var select = new NpgsqlCommand(
                $"select e.seq_id, {RowHashSql("e")} from {Q(schema)}.mt_events e where e.seq_id > @after and e.seq_id <= @ceiling order by e.seq_id limit @n", conn, tx))
            {
                select.Parameters.AddWithValue("after", lastSeq);
                select.Parameters.AddWithValue("ceiling", ceiling);
                select.Parameters.AddWithValue("n", batchSize);
                await using var reader = await select.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var row = (byte[])reader[1];
                    previous = Chain(previous, row);
                    seqs.Add(reader.GetInt64(0));
                    rows.Add(row);
                    chains.Add(previous);
                }
            }
            if (seqs.Count == 0) return total;

            await using (var insert = new NpgsqlCommand(
                $"insert into {Q(schema)}.{TableName} (seq_id, row_hash, chain_hash) select * from unnest(@s, @r, @c)", conn, tx))
            {
                insert.Parameters.Add(new NpgsqlParameter("s", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = seqs.ToArray() });
                insert.Parameters.Add(new NpgsqlParameter("r", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = rows.ToArray() });
                insert.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = chains.ToArray() });
                await insert.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            total += seqs.Count;
            if (seqs.Count < batchSize) return total;
        }
    }

    /// <summary>
    /// Recomputes every row hash from the events as they are now and the chain from them, comparing with the seals.
    /// Reports the first sequence number where the two disagree (edited, deleted, inserted or moved event, or an
    /// edited seal), and how many events are not sealed yet.
    /// </summary>
    public static async Task<VerificationResult> VerifyAsync(NpgsqlConnection conn, string schema, CancellationToken ct = default)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var cmd = new NpgsqlCommand(
            $"""
            select coalesce(e.seq_id, s.seq_id), e.seq_id is not null, s.seq_id is not null,
                   case when e.seq_id is null then null else {RowHashSql("e")} end, s.row_hash, s.chain_hash
            from {Q(schema)}.mt_events e full join {Q(schema)}.{TableName} s on s.seq_id = e.seq_id
            order by 1
            """, conn) { CommandTimeout = 0 };
        await using var reader = await cmd.ExecuteReaderAsync(ct);

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
            if (first is null)
            {
                if (unsealed > 0)
                    first = new Tampering(firstUnsealed, "an event without a seal sits before sealed events (inserted, or its sequence number was changed)");
                else if (!hasEvent)
                    first = new Tampering(seq, "the sealed event is missing (deleted, or its sequence number was changed)");
                else
                {
                    var rowHash = (byte[])reader[3];
                    if (!rowHash.AsSpan().SequenceEqual(storedRow))
                        first = new Tampering(seq, "the event's content differs from when it was sealed (edited or moved)");
                    else
                    {
                        var chain = Chain(previous, rowHash);
                        if (!chain.AsSpan().SequenceEqual(storedChain))
                            first = new Tampering(seq, "the seal chain is broken here (a seal was edited, removed or reordered)");
                        previous = chain;
                    }
                }
                if (first is null) verified++;
            }
            unsealed = 0;
        }
        // Events without seals after the last seal are the tail still waiting for the sealer, not tampering.
        return new VerificationResult(verified, unsealed, lastSealed, first, Convert.ToHexStringLower(previous), started.Elapsed);
    }

    private static string Q(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}

public sealed record Tampering(long SequenceNumber, string Problem);

public sealed record VerificationResult(long VerifiedEvents, long UnsealedEvents, long LastSealedSequence, Tampering? FirstTampering, string ChainHead, TimeSpan Elapsed)
{
    public bool Intact => FirstTampering is null;
}
