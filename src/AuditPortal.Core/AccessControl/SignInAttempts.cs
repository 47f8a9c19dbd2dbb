using Weasel.Postgresql.Tables;

namespace AuditPortal.Core.AccessControl;

/// <summary>A sign-in attempt's place in the count of one name (from one network): granted (the password may be checked) or refused.</summary>
public sealed record SignInSlot(string Key, bool Granted, long Number, DateTimeOffset? LockedUntil)
{
    /// <summary>The (case-folded) account name the count is for; the key adds the network when counted per network.</summary>
    public string UserName { get; init; } = Key;

    /// <summary>The client network the count is for (an IPv4 address or an IPv6 /64), or null for one count per name.</summary>
    public string? From { get; init; }
}

/// <summary>The failed sign-ins of each name, counted where every portal node sees them.</summary>
public interface ISignInAttempts
{
    /// <summary>
    /// Takes a slot for one password check, counted as a failure until it succeeds; refused when locked or full.
    /// With <paramref name="from"/> (a client network) the count is that network's alone, so one network's guesses never
    /// lock the account for anyone else.
    /// </summary>
    Task<SignInSlot> ReserveAsync(string userName, DateTimeOffset now, CancellationToken ct = default, string? from = null);

    /// <summary>The check failed (it was counted when reserved): returns the end of the lock when this failure locked the name.</summary>
    Task<DateTimeOffset?> FailedAsync(SignInSlot slot, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>The check succeeded: returns the end of a lock taken meanwhile by other attempts (then it does not count), else null.</summary>
    Task<DateTimeOffset?> SucceededAsync(SignInSlot slot, DateTimeOffset now, CancellationToken ct = default);
}

/// <summary>
/// Failed sign-ins per name in one table of the portal's database, so that N portal nodes still allow
/// <c>maxFailed</c> guesses per lock, not N times as many, and a restart forgets nothing.
/// </summary>
/// <remarks>
/// An attempt counts as a failure from the moment it is reserved (one atomic upsert), so parallel guesses on several
/// nodes each take a slot before any password is hashed. A success clears the count only when no later attempt has
/// started meanwhile (<c>started</c>); otherwise it removes its own slot. A count idle for a whole lock period is
/// forgotten, and such rows are deleted, so names made up by an attacker do not pile up. This is authentication state,
/// not an audit record (the access log has the sign-outs and refusals); the runtime role can reset it, but a holder
/// of that role does not need to guess passwords.
/// </remarks>
public sealed class SignInAttempts(IDocumentStore store, int maxFailed, TimeSpan lockFor) : ISignInAttempts
{
    public const string TableName = "sign_in_attempts";

    /// <summary>Who the access log says recorded a lock: the portal's sign-in, not a person.</summary>
    public const string RecordedBy = "system:sign-in";

    private string Table => $"{store.Options.DatabaseSchemaName}.{TableName}";

    public static Table BuildTable(string schema)
    {
        var table = new Table($"{schema}.{TableName}");
        table.AddColumn<string>("name").AsPrimaryKey();
        table.AddColumn<int>("failed").NotNull();
        table.AddColumn<long>("started").NotNull();
        table.AddColumn<DateTimeOffset>("locked_until");
        table.AddColumn<DateTimeOffset>("updated_at").NotNull();
        table.Indexes.Add(new IndexDefinition("ix_sign_in_attempts_updated_at") { Columns = ["updated_at"] });
        return table;
    }

    public static string KeyOf(string userName) => userName.Trim().ToLowerInvariant();

    /// <summary>The row of one name's count, or of one name from one network ("grace from 2001:db8:1:2::/64").</summary>
    public static string KeyOf(string userName, string? from) => from is null ? KeyOf(userName) : $"{KeyOf(userName)} from {from}";

    public async Task<SignInSlot> ReserveAsync(string userName, DateTimeOffset now, CancellationToken ct = default, string? from = null)
    {
        var key = KeyOf(userName, from);
        SignInSlot Slot(bool granted, long number, DateTimeOffset? lockedUntil) => new(key, granted, number, lockedUntil) { UserName = KeyOf(userName), From = from };
        var stale = now - lockFor;
        await using var conn = await OpenAsync(ct);
        await using var batch = new NpgsqlBatch(conn);
        // One statement: the row lock of the upsert orders attempts on every node.
        batch.BatchCommands.Add(BatchCommand($"""
            insert into {Table} as a (name, failed, started, locked_until, updated_at) values (@name, 1, 1, null, @now)
            on conflict (name) do update set
                failed = case when a.locked_until <= @now or a.updated_at < @stale then 1 else a.failed + 1 end,
                started = a.started + 1,
                locked_until = null,
                updated_at = @now
            where a.locked_until <= @now or (a.locked_until is null and (a.updated_at < @stale or a.failed < @max))
            returning started
            """, ("name", key), ("now", now), ("stale", stale), ("max", maxFailed)));
        // Names idle for a whole lock period go: made-up names do not pile up.
        batch.BatchCommands.Add(BatchCommand($"""
            delete from {Table} where updated_at < @stale and (locked_until is null or locked_until <= @now) and name <> @name
            """, ("stale", stale), ("now", now), ("name", key)));
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct)) return Slot(true, reader.GetInt64(0), null);
        }
        return Slot(false, 0, await LockedUntilAsync(conn, key, now, ct));
    }

    public async Task<DateTimeOffset?> FailedAsync(SignInSlot slot, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        var lockedUntil = now + lockFor;
        // The failure that fills the count locks the name; failures of guesses still being checked then only count.
        await using var cmd = Command(conn, $"""
            update {Table} set locked_until = @until, updated_at = @now
            where name = @name and failed >= @max and locked_until is null
            returning 1
            """, ("name", slot.Key), ("now", now), ("until", lockedUntil), ("max", maxFailed));
        if (await cmd.ExecuteScalarAsync(ct) is null) return null;
        // On the name's access log, for the auditors; the portal records it (the guesser is nobody signed in).
        await AccessLogAppend.AppendAsync(store, slot.UserName, new SignInLocked(slot.UserName, maxFailed, now, lockedUntil, slot.From),
            correlationId: Guid.CreateVersion7().ToString(), causationId: null, ct, by: RecordedBy);
        return lockedUntil;
    }

    public async Task<DateTimeOffset?> SucceededAsync(SignInSlot slot, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = Command(conn, $"""
            update {Table} set
                failed = case when started = @number then 0 else greatest(failed - 1, 0) end,
                updated_at = @now
            where name = @name and (locked_until is null or locked_until <= @now)
            returning 1
            """, ("name", slot.Key), ("now", now), ("number", slot.Number));
        if (await cmd.ExecuteScalarAsync(ct) is not null) return null;
        // No row to update: locked by other attempts meanwhile (or the row was gone, which locks nothing).
        return await LockedUntilAsync(conn, slot.Key, now, ct);
    }

    private async Task<DateTimeOffset?> LockedUntilAsync(NpgsqlConnection conn, string key, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = Command(conn, $"select locked_until from {Table} where name = @name and locked_until > @now", ("name", key), ("now", now));
        var until = await cmd.ExecuteScalarAsync(ct);
        return until is DateTime t ? new DateTimeOffset(t, TimeSpan.Zero) : until as DateTimeOffset?;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var conn = store.Options.Tenancy.Default.Database.CreateConnection();
        await conn.OpenAsync(ct);
        return conn;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, Utc(value));
        return cmd;
    }

    private static NpgsqlCommand Command(NpgsqlConnection conn, string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, Utc(value));
        return cmd;
    }

    // timestamptz parameters must be UTC for Npgsql.
    private static object Utc(object value) => value is DateTimeOffset d ? d.ToUniversalTime() : value;
}
