namespace AuditPortal.Core.AccessControl;

/// <summary>
/// Sign-outs in the event store, so that every portal node sharing the database ends a signed-out user's sessions,
/// and a restart does not forget them. A sign-out is a <see cref="UserSignedOut"/> on the user's access-log stream:
/// auditors see it in the explorer like any other event. Signing oneself out needs no permission; the caller is the
/// sign-out endpoint, which takes the name from the signed-in user's cookie and checks the antiforgery token.
/// </summary>
public sealed class SignOutLog(IDocumentStore store, TimeProvider time)
{
    /// <summary>Appends the sign-out of <paramref name="userName"/> now; returns its time.</summary>
    public async Task<DateTimeOffset> RecordAsync(string userName, string correlationId, CancellationToken ct = default)
    {
        var signedOutAt = time.GetUtcNow();
        await AccessLogAppend.AppendAsync(store, userName, new UserSignedOut(userName, signedOutAt), correlationId, causationId: null, ct);
        return signedOutAt;
    }

    /// <summary>
    /// The latest sign-out per user recorded since <paramref name="since"/>, by any node. Sign-outs are few (one per
    /// click on "Sign out"), and the (type, seq_id) index finds them without reading other events.
    /// The time is the event's database time (mt_events.timestamp, which the database assigns), never the time in the
    /// body the caller wrote. A row that cannot be a sign-out (a body without a user name, a time in the future) is
    /// skipped and returned in <see cref="SignOutReading.Skipped"/>: one bad row never stops the others.
    /// </summary>
    public async Task<SignOutReading> LatestSinceAsync(DateTimeOffset since, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        var conn = (NpgsqlConnection)session.Connection!;
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync(ct);
        // Everything is read as text or by type checks in SQL, so no row can make the reader throw. camelCase: the
        // store's serializer (PortalStore).
        await using var cmd = new NpgsqlCommand(
            $"""
            select seq_id, timestamp, timestamp > now() + @tolerance,
                   case when jsonb_typeof(data) = 'object' and jsonb_typeof(data->'userName') = 'string' then data->>'userName' end,
                   left(data::text, 200)
            from {store.Options.DatabaseSchemaName}.mt_events
            where type = '{AuditTypeNames.UserSignedOut}' and timestamp >= @since
            order by seq_id
            """, conn);
        cmd.Parameters.AddWithValue("since", since);
        cmd.Parameters.AddWithValue("tolerance", FutureTolerance);
        var latest = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
        var skipped = new List<SkippedSignOut>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var seq = reader.GetInt64(0);
            var at = reader.GetFieldValue<DateTimeOffset>(1);
            var name = reader.IsDBNull(3) ? null : reader.GetString(3);
            if (string.IsNullOrWhiteSpace(name))
                skipped.Add(new SkippedSignOut(seq, $"the body has no user name: {reader.GetString(4)}"));
            else if (reader.GetBoolean(2))
                skipped.Add(new SkippedSignOut(seq, $"its time {at:yyyy-MM-dd HH:mm:ss} UTC is in the future (user {name})"));
            // Two spellings of one name fold into one key: the latest sign-out counts.
            else if (!latest.TryGetValue(name, out var known) || at > known) latest[name] = at;
        }
        return new SignOutReading(latest, skipped);
    }

    /// <summary>Clocks of nodes and database may differ a little; a sign-out further ahead than this is not believed.</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(1);
}

/// <summary>The latest sign-out per user, and the rows that were skipped (to be reported, each once).</summary>
public sealed record SignOutReading(IReadOnlyDictionary<string, DateTimeOffset> Latest, IReadOnlyList<SkippedSignOut> Skipped);

/// <summary>A user_signed_out row that is not a sign-out: its sequence number and why (raw text, escape it before logging).</summary>
public sealed record SkippedSignOut(long Sequence, string Reason);
