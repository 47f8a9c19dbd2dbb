namespace AuditPortal.Core.Integrity;

/// <summary>
/// A hash chain over Marten's event table. Each event gets a row hash (SHA-256 computed by PostgreSQL over a
/// canonical JSON array of its columns) and a chain hash = SHA-256(previous chain hash || row hash), kept in a
/// seal table. An edited, deleted or reordered event breaks the chain at its sequence number.
/// Seals are written only by <see cref="SealFunctionName"/>, a SECURITY DEFINER function owned by the schema owner
/// (the migration role): the runtime role may call it and SELECT seals, never INSERT/UPDATE/DELETE them, so it
/// cannot choose a hash. The function also chooses its own ceiling (<see cref="MarksTableName"/>): no caller can make it
/// seal past a transaction still in flight, which would later report that transaction's event as inserted.
/// </summary>
public static class EventSeals
{
    public const string TableName = "mt_event_seals";
    public const string SealFunctionName = "mt_seal_events";
    /// <summary>Owner-only: what each sealing round saw (see <see cref="CreateSealFunctionSql"/>); the runtime role has no privilege on it.</summary>
    public const string MarksTableName = "mt_event_seal_marks";
    public const string StatusFunctionName = "mt_seal_status";
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
        alter table {Q(schema)}.{TableName} add column if not exists hash_version smallint not null default 1;
        create table if not exists {Q(schema)}.{MarksTableName} (
          own_xid xid8 primary key,
          last_value bigint not null,
          writers text[] not null,
          recorded_at timestamptz not null default now()
        );
        drop function if exists {Q(schema)}.{SealFunctionName}(bigint, integer)
        """;

    /// <summary>
    /// The sealing function. SECURITY DEFINER with a fixed search_path, so the runtime role's own settings cannot
    /// redirect it; one sealer at a time (advisory lock): on several nodes the others skip the round.
    /// <para>
    /// Its ceiling is its own. Each round records a mark: the event sequence's last value, then its own transaction id,
    /// then the virtual transactions holding a write lock on mt_events at that moment. A mark is settled once every
    /// transaction that could still hold a sequence number up to its value has ended: the oldest running transaction id
    /// (the snapshot's xmin) has passed the mark's own id (so every transaction that had an id then has ended), and none
    /// of the recorded writers is still running (those that drew a number inside their INSERT and had no transaction id
    /// yet: the INSERT takes its lock on mt_events before the column default draws the number). The round seals up to the
    /// newest settled mark. A long-open transaction holds sealing back (health shows it), never forward.
    /// What remains: a number drawn by a bare nextval() in a transaction that held no lock on mt_events and had no id at
    /// the mark, and inserted later (Marten's Rich append mode and COPY reserve numbers so; the portal appends in Quick mode).
    /// Such an event lands below the seals and is reported as inserted, a false alarm that only a role allowed to call
    /// nextval() can cause. Returns the events sealed, the ceiling used and the value this round recorded
    /// (null, null, null when another sealer holds the lock).
    /// </para>
    /// </summary>
    public static string CreateSealFunctionSql(string schema) =>
        $"""
        create or replace function {Q(schema)}.{SealFunctionName}(batch_size integer)
        returns table(sealed bigint, ceiling bigint, recorded bigint)
        language plpgsql security definer set search_path = pg_catalog, pg_temp as $fn$
        declare
          last_seq bigint;
          previous bytea;
          r record;
          snap pg_snapshot;
          seq_last bigint;
          seq_called boolean;
          mine xid8;
          settled xid8;
        begin
          sealed := 0;
          if not pg_try_advisory_xact_lock({AdvisoryLockKey}) then return next; return; end if;
          -- Settle earlier marks against a snapshot taken before this round's own transaction id exists.
          snap := pg_current_snapshot();
          select m.last_value, m.own_xid into ceiling, settled from {Q(schema)}.{MarksTableName} m
          where m.own_xid < pg_snapshot_xmin(snap)
            and not exists (select 1 from pg_locks l where l.locktype = 'virtualxid' and l.virtualxid = any(m.writers))
          order by m.own_xid desc limit 1;
          if settled is not null then
            delete from {Q(schema)}.{MarksTableName} m where m.own_xid < settled;
          end if;

          -- This round's mark, in this order: the sequence first, then the id, then the writers.
          select s.last_value, s.is_called into seq_last, seq_called from {Q(schema)}.mt_events_sequence s;
          recorded := case when seq_called then seq_last else seq_last - 1 end;
          mine := pg_current_xact_id();
          insert into {Q(schema)}.{MarksTableName} (own_xid, last_value, writers)
          select mine, recorded, coalesce(array_agg(distinct l.virtualtransaction), array[]::text[])
          from pg_locks l
          where l.locktype = 'relation' and l.relation = '{Q(schema)}.mt_events'::regclass and l.granted
            and l.mode in ('RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
            and l.pid <> pg_backend_pid();

          if ceiling is null then return next; return; end if;
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
          return next;
        end
        $fn$
        """;

    /// <summary>
    /// What health and the overview read (the marks are owner-only): when the last round ran, the newest seal, and since
    /// when the oldest committed event without a seal has been waiting, all in the database's clock. It has waited since
    /// the first round that saw its sequence number (the oldest mark at or above it); before any round ran, since its
    /// own time. An imported history with old times is therefore not "waiting" for months once a sealer runs.
    /// </summary>
    public static string CreateStatusFunctionSql(string schema) =>
        $"""
        create or replace function {Q(schema)}.{StatusFunctionName}()
        returns table(now timestamptz, last_round_at timestamptz, last_sealed bigint, waiting_since timestamptz)
        language sql stable security definer set search_path = pg_catalog, pg_temp as $fn$
          with head as (select coalesce(max(s.seq_id), 0) as seq from {Q(schema)}.{TableName} s),
               waiting as (select e.seq_id, e.timestamp from {Q(schema)}.mt_events e, head where e.seq_id > head.seq order by e.seq_id limit 1)
          select now(),
                 (select max(m.recorded_at) from {Q(schema)}.{MarksTableName} m),
                 head.seq,
                 (select coalesce(
                    (select min(m.recorded_at) from {Q(schema)}.{MarksTableName} m where m.last_value >= waiting.seq_id),
                    case when not exists (select 1 from {Q(schema)}.{MarksTableName}) then waiting.timestamp end)
                  from waiting)
          from head
        $fn$
        """;

    /// <summary>
    /// The canonical form of one event: a JSON array (quoting makes it unambiguous) of every column that changes
    /// the event's meaning — payload, type (alias and .NET type), stream, version, tenant, archive flag, who and
    /// when, correlation, causation and headers. The timestamp is rendered in UTC with microseconds so that the
    /// session's time zone does not matter.
    /// </summary>
    public static string RowHashSql(string alias) => $"sha256(convert_to({CanonicalSql(alias)}, 'UTF8'))";

    /// <summary>The text <see cref="RowHashSql"/> hashes: what an evidence export carries so a receiver can recompute the row hash.</summary>
    public static string CanonicalSql(string alias) =>
        $"json_build_array({alias}.seq_id, {alias}.id, {alias}.stream_id, {alias}.version, {alias}.type, {alias}.data::text, " +
        $"to_char({alias}.timestamp at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), {alias}.user_name, {alias}.correlation_id, {alias}.causation_id, " +
        $"{alias}.headers::text, {alias}.is_archived, {alias}.mt_dotnet_type, {alias}.tenant_id)::text";

    /// <summary>The version 1 form (ten columns), kept only to verify seals written before version 2.</summary>
    public static string RowHashV1Sql(string alias) => $"sha256(convert_to({CanonicalV1Sql(alias)}, 'UTF8'))";

    public static string CanonicalV1Sql(string alias) =>
        $"json_build_array({alias}.seq_id, {alias}.id, {alias}.stream_id, {alias}.version, {alias}.type, {alias}.data::text, " +
        $"to_char({alias}.timestamp at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), {alias}.user_name, {alias}.correlation_id, {alias}.causation_id)::text";

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
        await using (var status = new NpgsqlCommand(CreateStatusFunctionSql(schema), conn)) await status.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// One sealing round through the sealing function (so it works for a role that may not write seals), repeated while
    /// it fills whole batches. The function chooses the ceiling; nothing the caller says moves it.
    /// </summary>
    public static async Task<SealRound> SealAsync(NpgsqlConnection conn, string schema, int batchSize = 10_000, CancellationToken ct = default)
    {
        long total = 0;
        while (true)
        {
            var round = await RoundAsync(conn, schema, batchSize, ct);
            total += round.Sealed;
            if (round.Sealed < batchSize) return round with { Sealed = total };
        }
    }

    /// <summary>
    /// Seals every event committed before the call: a round records the sequence's value, later rounds seal once
    /// every transaction that could still hold a number up to it has ended (an open transaction makes this wait).
    /// For the apply step's callers, verbs and tests; the portal's sealer simply runs a round per interval.
    /// </summary>
    public static async Task<long> SealCommittedAsync(NpgsqlConnection conn, string schema, int batchSize = 10_000, CancellationToken ct = default)
    {
        long total = 0;
        long? target = null;
        while (true)
        {
            var round = await SealAsync(conn, schema, batchSize, ct);
            total += round.Sealed;
            target ??= round.Recorded;
            if (target is { } t && round.Ceiling >= t) return total;
            // Waiting on other transactions to end (or on another sealer's lock): the database decides, not a timer.
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }
    }

    private static async Task<SealRound> RoundAsync(NpgsqlConnection conn, string schema, int batchSize, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"select sealed, ceiling, recorded from {Q(schema)}.{SealFunctionName}(@n)", conn) { CommandTimeout = 0 };
        cmd.Parameters.AddWithValue("n", batchSize);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new SealRound(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2));
    }

    /// <summary>The sealer's state as the database sees it (through the owner's status function).</summary>
    public static async Task<SealStatus> ReadStatusAsync(NpgsqlConnection conn, string schema, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand($"select now, last_round_at, last_sealed, waiting_since from {Q(schema)}.{StatusFunctionName}()", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new SealStatus(reader.GetFieldValue<DateTimeOffset>(0),
            reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1), reader.GetInt64(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3));
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
    /// Every sequence number where the two disagree is a problem (edited, deleted, inserted or moved event, or an
    /// edited seal): each event's content is checked against its own seal and each seal against the one before, so one
    /// change does not hide the next. The first <paramref name="maxListed"/> are listed, all are counted. Events
    /// after the last seal are the tail still waiting for the sealer. <paramref name="expectedHeads"/> are chain heads
    /// recorded outside the database (checkpoints, <c>--expect-head</c>): each must equal the chain recomputed from
    /// the events at its sequence number (or anywhere, when none is given), which a rewritten chain cannot.
    /// </summary>
    public static async Task<VerificationResult> VerifyAsync(NpgsqlConnection conn, string schema, IReadOnlyCollection<ExpectedHead>? expectedHeads = null,
        int maxListed = 100, CancellationToken ct = default)
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
        var tamperings = new List<Tampering>();
        long tamperingCount = 0;
        void Report(long seq, string problem)
        {
            if (tamperingCount++ < maxListed) tamperings.Add(new Tampering(seq, problem));
        }

        var previous = Genesis;
        var previousStored = Genesis;
        var trusted = Genesis;
        long verified = 0, lastSealed = 0;
        // Unsealed events seen since the last seal: the tail, unless a seal follows them. Only the first few are kept.
        var unsealed = new List<long>();
        long unsealedCount = 0;
        while (await reader.ReadAsync(ct))
        {
            var seq = reader.GetInt64(0);
            var hasEvent = reader.GetBoolean(1);
            var hasSeal = reader.GetBoolean(2);
            if (!hasSeal)
            {
                if (unsealedCount++ < maxListed) unsealed.Add(seq);
                continue;
            }
            foreach (var inserted in unsealed)
                Report(inserted, "an event without a seal sits among sealed events (inserted, or its sequence number was changed)");
            if (unsealedCount > unsealed.Count) tamperingCount += unsealedCount - unsealed.Count;
            unsealed.Clear();
            unsealedCount = 0;

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
            var problems = tamperingCount;
            if (!hasEvent)
                Report(seq, "the sealed event is missing (deleted, or its sequence number was changed)");
            else if (!((byte[])reader[3]).AsSpan().SequenceEqual(storedRow))
                Report(seq, "the event's content differs from when it was sealed (edited or moved)");
            // A seal follows the one stored before it, or the value that one should have had: an edited chain hash is
            // reported at its own sequence number, not again at the next.
            var linked = Chain(previousStored, storedRow).AsSpan().SequenceEqual(storedChain);
            var shouldBe = Chain(trusted, storedRow);
            if (!linked && !shouldBe.AsSpan().SequenceEqual(storedChain) && tamperingCount == problems)
                Report(seq, "the seal chain is broken here (a seal was edited, removed or reordered)");
            if (tamperingCount == problems) verified++;
            trusted = linked ? storedChain : shouldBe;
            previousStored = storedChain;

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
        }
        foreach (var head in (expectedHeads ?? []).Where(h => !found.Contains(h)))
        {
            headProblems.Add(head.Sequence is { } at
                ? $"{head.Source} recorded head {head.Head} at sequence {at}, which has no sealed event now (deleted, or not sealed yet)"
                : $"{head.Source} recorded head {head.Head}, which the chain recomputed from the events never reaches (history rewritten)");
        }
        return new VerificationResult(verified, unsealedCount, lastSealed, tamperings, tamperingCount, Convert.ToHexStringLower(previous), started.Elapsed, headProblems);
    }

    private static string Q(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}

public sealed record Tampering(long SequenceNumber, string Problem);

/// <summary>One sealing call: events sealed, the ceiling the function chose (null: none settled yet) and the value it recorded.</summary>
public sealed record SealRound(long Sealed, long? Ceiling, long? Recorded);

/// <summary>How long the sealer may be silent, and an event may wait for its seal, before health says Degraded.</summary>
public sealed record SealerBounds(TimeSpan MaxSilence, TimeSpan MaxUnsealedAge)
{
    public static SealerBounds Default { get; } = new(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120));
}

/// <summary>
/// The sealer's state in database time: its last round (any node), the newest seal, and since when the oldest
/// committed event without a seal has been waiting (see <see cref="EventSeals.CreateStatusFunctionSql"/>).
/// </summary>
public sealed record SealStatus(DateTimeOffset Now, DateTimeOffset? LastRoundAt, long LastSealed, DateTimeOffset? WaitingSince)
{
    /// <summary>Why sealing has stopped, or null while it keeps up. One rule for /health and the admin overview.</summary>
    public string? Problem(SealerBounds bounds)
    {
        if (WaitingSince is { } since && Now - since > bounds.MaxUnsealedAge)
            return $"an event after sequence {LastSealed} has waited {Seconds(Now - since)} for its seal (since {since:yyyy-MM-dd HH:mm:ss} UTC; " +
                   $"bound {Seconds(bounds.MaxUnsealedAge)}): the sealer has stopped, or a long-open transaction holds it back";
        if (LastRoundAt is { } last && Now - last > bounds.MaxSilence)
            return $"the last sealing round ran {Seconds(Now - last)} ago (bound {Seconds(bounds.MaxSilence)}): no node is sealing";
        return null;
    }

    public string Description =>
        (LastRoundAt is { } last ? $"last sealing round {last:yyyy-MM-dd HH:mm:ss} UTC" : "no sealing round has run yet") +
        $"; sealed up to sequence {LastSealed}" +
        (WaitingSince is { } since ? $"; an unsealed event waiting since {since:yyyy-MM-dd HH:mm:ss} UTC" : "; nothing waiting");

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:N0} s";
}

/// <summary>A chain head recorded outside the database: by a signed checkpoint, or given by hand (<c>--expect-head</c>).</summary>
public sealed record ExpectedHead(string Head, long? Sequence, string Source);

public sealed record VerificationResult(
    long VerifiedEvents, long UnsealedEvents, long LastSealedSequence, IReadOnlyList<Tampering> Tamperings, long TamperingCount,
    string ChainHead, TimeSpan Elapsed, IReadOnlyList<string>? HeadProblems = null)
{
    /// <summary>The lowest altered sequence number (problems are listed in sequence order).</summary>
    public Tampering? FirstTampering => Tamperings.Count > 0 ? Tamperings[0] : null;

    /// <summary>Seals agree with the events and every recorded head is on the chain the events give.</summary>
    public bool Intact => TamperingCount == 0 && (HeadProblems is null || HeadProblems.Count == 0);
}
