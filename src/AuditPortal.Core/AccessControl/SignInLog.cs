using Marten;
using Npgsql;

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
    public const string SignedInType = "user_signed_in";
    public const string RefusedType = "sign_in_refused";

    /// <summary>Who the access log says recorded a refusal: the portal's sign-in (the one refused is not signed in).</summary>
    public const string RecordedBy = SignInAttempts.RecordedBy;

    public Task SignedInAsync(string userName, string? displayName, string method, string? clientAddress, string correlationId, CancellationToken ct = default) =>
        AccessLogAppend.AppendAsync(store, userName, new UserSignedIn(userName, displayName, method, clientAddress, time.GetUtcNow()), correlationId, causationId: null, ct);

    public Task RefusedAsync(string userName, string method, string reason, string? clientAddress, string correlationId, CancellationToken ct = default) =>
        AccessLogAppend.AppendAsync(store, userName, new SignInRefused(userName, method, reason, clientAddress, time.GetUtcNow()), correlationId, causationId: null, ct, by: RecordedBy);

    /// <summary>The latest sign-in of each user (no permission check: callers check first).</summary>
    public static async Task<IReadOnlyList<KnownUser>> LatestAsync(IQuerySession session, string? search, int limit, CancellationToken ct) =>
        (await QueryAsync(session, search, userNames: null, ct)).OrderByDescending(x => x.LastSignedInAt).Take(limit).ToList();

    /// <summary>
    /// The latest sign-in of each of <paramref name="userNames"/> (case-insensitive), keyed by the lower-cased name: one
    /// query for a whole page (the access review), never one per row. No permission check: callers check first.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, KnownUser>> LatestOfAsync(IQuerySession session, IEnumerable<string> userNames, CancellationToken ct)
    {
        var names = userNames.Select(x => x.Trim().ToLowerInvariant()).Distinct().ToArray();
        if (names.Length == 0) return new Dictionary<string, KnownUser>();
        return (await QueryAsync(session, search: null, names, ct)).ToDictionary(x => x.UserName.Trim().ToLowerInvariant());
    }

    private static async Task<List<KnownUser>> QueryAsync(IQuerySession session, string? search, string[]? userNames, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)session.Connection!;
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync(ct);
        // The (type) index finds sign-ins without reading other events; one row per lower-cased user name.
        await using var cmd = new NpgsqlCommand(
            $"""
            select distinct on (lower(data->>'userName')) data->>'userName', data->>'displayName', data->>'method', timestamp
            from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events
            where type = '{SignedInType}'
              and (@search = '' or strpos(lower(data->>'userName'), @search) > 0 or strpos(lower(coalesce(data->>'displayName', '')), @search) > 0)
              and (@names::text[] is null or lower(data->>'userName') = any(@names))
            order by lower(data->>'userName'), seq_id desc
            """, conn);
        cmd.Parameters.AddWithValue("search", (search ?? "").Trim().ToLowerInvariant());
        cmd.Parameters.Add(new NpgsqlParameter("names", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)userNames ?? DBNull.Value });
        var found = new List<KnownUser>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            found.Add(new KnownUser(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        return found;
    }
}
