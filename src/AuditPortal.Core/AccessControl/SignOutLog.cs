using Marten;
using Npgsql;

namespace AuditPortal.Core.AccessControl;

/// <summary>
/// Sign-outs in the event store, so that every portal node sharing the database ends a signed-out user's sessions,
/// and a restart does not forget them. A sign-out is a <see cref="UserSignedOut"/> on the user's access-log stream:
/// auditors see it in the explorer like any other event. Signing oneself out needs no permission; the caller is the
/// sign-out endpoint, which takes the name from the signed-in user's cookie and checks the antiforgery token.
/// </summary>
public sealed class SignOutLog(IDocumentStore store, TimeProvider time)
{
    public const string EventType = "user_signed_out";

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
    /// </summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> LatestSinceAsync(DateTimeOffset since, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        var conn = (NpgsqlConnection)session.Connection!;
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync(ct);
        // Every sign-out of the window (a few per user and day), parsed here: the body's time to the tick, where a
        // timestamptz would round it to microseconds. camelCase: the store's serializer (PortalStore).
        await using var cmd = new NpgsqlCommand(
            $"""
            select data->>'userName', data->>'signedOutAt'
            from {store.Options.DatabaseSchemaName}.mt_events
            where type = '{EventType}' and timestamp >= @since
            """, conn);
        cmd.Parameters.AddWithValue("since", since);
        var latest = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var name = reader.GetString(0);
            var at = DateTimeOffset.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture);
            // Two spellings of one name fold into one key: the latest sign-out counts.
            if (!latest.TryGetValue(name, out var known) || at > known) latest[name] = at;
        }
        return latest;
    }
}
