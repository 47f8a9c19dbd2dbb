namespace AuditPortal.Core.AccessControl;

/// <summary>A person the portal has seen sign in: the stable user name the ACL knows, and the name people recognise.</summary>
public sealed record KnownUser(string UserName, string? DisplayName, string Method, DateTimeOffset LastSignedInAt);

/// <summary>
/// Sign-ins and refused sign-ins on the user's <see cref="AccessLog"/> (one event each, through <see cref="AccessLogAppend"/>),
/// and the people found by them (<see cref="AccessControlQueries.FindPeopleAsync"/>): an admin granting a single sign-on
/// user looks them up by display name.
/// </summary>
public sealed class SignInLog(IDocumentStore store, TimeProvider time)
{
    /// <summary>Who the access log says recorded a refusal: the portal's sign-in (the one refused is not signed in).</summary>
    public const string RecordedBy = SignInAttempts.RecordedBy;

    public Task SignedInAsync(string userName, string? displayName, string method, string? clientAddress, string correlationId, CancellationToken ct = default) =>
        AccessLogAppend.AppendAsync(store, userName, new UserSignedIn(userName, displayName, method, clientAddress, time.GetUtcNow()), correlationId, causationId: null, ct);

    public Task RefusedAsync(string userName, string method, string reason, string? clientAddress, string correlationId, CancellationToken ct = default) =>
        AccessLogAppend.AppendAsync(store, userName, new SignInRefused(userName, method, reason, clientAddress, time.GetUtcNow()), correlationId, causationId: null, ct, by: RecordedBy);

    /// <summary>The latest sign-in of each user (no permission check: callers check first).</summary>
    public static async Task<IReadOnlyList<KnownUser>> LatestAsync(IQuerySession session, string? search, int limit, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)session.Connection!;
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync(ct);
        // The (type) index finds sign-ins without reading other events; one row per lower-cased user name.
        await using var cmd = new NpgsqlCommand(
            $"""
            select distinct on (lower(data->>'userName')) data->>'userName', data->>'displayName', data->>'method', timestamp
            from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events
            where type = '{AuditTypeNames.UserSignedIn}'
              and (@search = '' or strpos(lower(data->>'userName'), @search) > 0 or strpos(lower(coalesce(data->>'displayName', '')), @search) > 0)
            order by lower(data->>'userName'), seq_id desc
            """, conn);
        cmd.Parameters.AddWithValue("search", (search ?? "").Trim().ToLowerInvariant());
        var found = new List<KnownUser>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            found.Add(new KnownUser(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        return found.OrderByDescending(x => x.LastSignedInAt).Take(limit).ToList();
    }

    /// <summary>
    /// The latest sign-in of each of <paramref name="userNames"/> (case-insensitive), keyed by the lower-cased name: one
    /// query for a whole page (the access review), never one per row. Each person's sign-ins are on their own access-log
    /// stream (<see cref="AccessLog.StreamIdFor"/>), so the query walks each stream backwards on its (stream_id, version)
    /// index to the first sign-in: its cost follows the number of people, not the number of sign-ins ever recorded.
    /// No permission check: callers check first.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, KnownUser>> LatestOfAsync(IQuerySession session, IEnumerable<string> userNames, CancellationToken ct)
    {
        var byStream = userNames.Select(x => x.Trim().ToLowerInvariant()).Distinct().ToDictionary(AccessLog.StreamIdFor);
        var found = new Dictionary<string, KnownUser>();
        if (byStream.Count == 0) return found;
        var conn = (NpgsqlConnection)session.Connection!;
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"""
            select s.id, e.user_name, e.display_name, e.method, e.at
            from unnest(@ids) as s(id)
            cross join lateral (
              select data->>'userName' as user_name, data->>'displayName' as display_name, data->>'method' as method, timestamp as at
              from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events
              where stream_id = s.id and type = '{AuditTypeNames.UserSignedIn}'
              order by version desc limit 1) e
            """, conn);
        cmd.Parameters.AddWithValue("ids", byStream.Keys.ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var name = byStream[reader.GetGuid(0)];
            found[name] = new KnownUser(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4));
        }
        return found;
    }

    /// <summary>
    /// The one lookup of names people recognise: the display name each of <paramref name="userNames"/> last signed in
    /// with, keyed by the lower-cased user name, only where one is known and differs from the user name. For showing
    /// beside the stable subject; nothing is ever stored or decided by it. System actors are never looked up.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> DisplayNamesAsync(IQuerySession session, IEnumerable<string> userNames, CancellationToken ct)
    {
        var people = userNames.Where(x => !string.IsNullOrWhiteSpace(x) && !x.StartsWith("system:", StringComparison.Ordinal));
        var latest = await LatestOfAsync(session, people, ct);
        return latest.Where(x => x.Value.DisplayName is { Length: > 0 } d && !string.Equals(d.Trim(), x.Key, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(x => x.Key, x => x.Value.DisplayName!);
    }
}
