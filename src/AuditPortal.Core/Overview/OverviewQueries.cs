using AuditPortal.Core.Database;
using System.Text.Json;
using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Audit;
using AuditPortal.Core.Common;
using AuditPortal.Core.Projections;

namespace AuditPortal.Core.Overview;

/// <summary>
/// The figures behind the persona overview. Counts over whole days (credits this week, events per day, the most active
/// actors) come from the daily read model (<see cref="DailyActivityProjection"/>, a few rows per day however many
/// events); lists of events from Marten's event table, whose timestamp, type and user-name indexes keep each on a
/// narrow slice of recent events. Every query checks the caller's
/// permission at the moment it runs, like every read service; days and weeks are UTC, weeks start on Monday.
/// </summary>
public sealed class OverviewQueries(IDocumentStore store, ICurrentActor current, TimeProvider time, ProjectionOperations? projections = null,
    Integrity.SealerBounds? sealing = null) : IPortalReads
{
    public const int EventsPerDayWindow = 90;
    public const int ListLength = 10;

    // Before SensitiveEventTypes, which includes it: static fields are initialised in the order they are written.
    public static readonly string[] AclEventTypes = AuditTypeNames.OnlyOn(AuditTypeNames.AccessControlList)!;

    /// <summary>Event types an auditor wants to see first: refusals, exports, access-control changes and rebuilds.</summary>
    public static readonly string[] SensitiveEventTypes =
    [
        AuditTypeNames.CommandDenied, AuditTypeNames.ReadRefused, AuditTypeNames.SignInLocked, AuditTypeNames.SignInRefused, AuditTypeNames.AuditExported,
        .. AclEventTypes,
        AuditTypeNames.ProjectionRebuildStarted, AuditTypeNames.ProjectionRebuildCompleted, AuditTypeNames.ProjectionRebuildCancelled, AuditTypeNames.ProjectionRebuildFailed,
    ];

    private string Schema => store.Options.Events.DatabaseSchemaName;
    private string Daily => $"{Schema}.{DailyActivityProjection.TableName}";

    /// <summary>Which groups the caller sees: support (GrantCredits), auditor (ReadAudit), admin (EditAccessControl or ManageProjections).</summary>
    [EmptyWithoutPermission("which overview groups to show: none")]
    public async Task<OverviewPersonas> PersonasAsync(CancellationToken ct = default)
    {
        var actor = await current.GetActorAsync();
        await using var session = store.QuerySession();
        return new OverviewPersonas(
            await PortalAccess.IsAllowedAsync(session, actor, Permission.GrantCredits, ct),
            await PortalAccess.IsAllowedAsync(session, actor, Permission.ReadAudit, ct),
            await PortalAccess.IsAllowedAsync(session, actor, Permission.EditAccessControl, ct)
            || await PortalAccess.IsAllowedAsync(session, actor, Permission.ManageProjections, ct));
    }

    public async Task<SupportOverview> SupportAsync(CancellationToken ct = default)
    {
        var actor = await current.GetActorAsync();
        await PortalAccess.DemandAsync(store, actor, "overview", ct, Permission.GrantCredits);
        var now = time.GetUtcNow();
        var dayStart = DayStart(now);
        var weekStart = WeekStart(now);
        await using var conn = await store.OpenConnectionAsync(ct);

        // Both periods are whole UTC days: the daily read model's rows of this week give both.
        var ((today, week), source) = await FromServingDailyAsync(conn, ReadTotalsAsync, ct);
        async Task<(CreditTotals Today, CreditTotals Week)> ReadTotalsAsync(string daily)
        {
        CreditTotals today = new(0, 0, 0, 0), week = new(0, 0, 0, 0);
        await using (var cmd = new NpgsqlCommand(
            $"""
            select d.day >= @day, d.event_type, sum(d.events)::bigint, sum(d.amount)::bigint
            from {daily} d
            where d.day >= @week and d.event_type in ('{AuditTypeNames.CreditsGranted}', '{AuditTypeNames.CreditsSpent}')
            group by 1, 2
            """, conn))
        {
            cmd.Parameters.AddWithValue("day", DateOnly.FromDateTime(dayStart.UtcDateTime));
            cmd.Parameters.AddWithValue("week", DateOnly.FromDateTime(weekStart.UtcDateTime));
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var isToday = reader.GetBoolean(0);
                var granted = reader.GetString(1) == AuditTypeNames.CreditsGranted;
                var count = (int)reader.GetInt64(2);
                var sum = reader.GetInt64(3);
                CreditTotals Add(CreditTotals t) => granted
                    ? t with { Granted = t.Granted + sum, Grants = t.Grants + count }
                    : t with { Spent = t.Spent + sum, Spends = t.Spends + count };
                week = Add(week);
                if (isToday) today = Add(today);
            }
        }
        return (today, week);
        }

        int walletsToday;
        await using (var cmd = new NpgsqlCommand(
            $"""
            select count(distinct e.stream_id) from {Schema}.mt_events e
            where e.timestamp >= @day and e.type = any(@types)
            """, conn))
        {
            cmd.Parameters.AddWithValue("day", dayStart);
            cmd.Parameters.AddWithValue("types", AuditTypeNames.OnlyOn(AuditTypeNames.Wallet)!);
            walletsToday = (int)(long)(await cmd.ExecuteScalarAsync(ct) ?? 0L);
        }

        // Support's own work: wallets, jobs and access-control lists. Operations records (rebuilds, exports) are not
        // support actions and have no page a support user may open.
        var mine = await ReadEventsAsync(conn,
            $"e.user_name = @user and exists (select 1 from {Schema}.mt_streams w where w.id = e.stream_id and w.type in ('{AuditTypeNames.Wallet}', '{AuditTypeNames.Job}', '{AuditTypeNames.AccessControlList}'))",
            c => c.Parameters.AddWithValue("user", actor.UserName), ListLength, ct);
        var names = await DisplayNamesAsync(mine.Select(e => e.Actor), ct);
        return new SupportOverview(dayStart, weekStart, today, week, walletsToday, Named(mine, names), source);
    }

    public async Task<AuditorOverview> AuditorAsync(CancellationToken ct = default)
    {
        await PortalAccess.DemandAsync(store, current, "overview", ct, Permission.ReadAudit);
        var now = time.GetUtcNow();
        var to = DayStart(now).AddDays(1);
        var from = to.AddDays(-EventsPerDayWindow);
        var actorsFrom = DayStart(now).AddDays(-6);
        var sensitiveFrom = now.AddDays(-7);
        await using var conn = await store.OpenConnectionAsync(ct);

        var ((counts, actors), source) = await FromServingDailyAsync(conn, ReadDailyAsync, ct);
        async Task<(Dictionary<DateOnly, long> Counts, List<ActorCount> Actors)> ReadDailyAsync(string daily)
        {
        var counts = new Dictionary<DateOnly, long>();
        await using (var cmd = new NpgsqlCommand(
            $"""
            select d.day, sum(d.events)::bigint from {daily} d
            where d.day >= @from and d.day < @to group by 1
            """, conn))
        {
            cmd.Parameters.AddWithValue("from", DateOnly.FromDateTime(from.UtcDateTime));
            cmd.Parameters.AddWithValue("to", DateOnly.FromDateTime(to.UtcDateTime));
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) counts[reader.GetFieldValue<DateOnly>(0)] = reader.GetInt64(1);
        }
        var actors = new List<ActorCount>();
        await using (var cmd = new NpgsqlCommand(
            $"""
            select d.user_name, sum(d.events)::bigint from {daily} d
            where d.day >= @from and d.day < @to group by 1 order by 2 desc, 1 limit @n
            """, conn))
        {
            cmd.Parameters.AddWithValue("from", DateOnly.FromDateTime(actorsFrom.UtcDateTime));
            cmd.Parameters.AddWithValue("to", DateOnly.FromDateTime(to.UtcDateTime));
            cmd.Parameters.AddWithValue("n", ListLength);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) actors.Add(new ActorCount(reader.GetString(0), reader.GetInt64(1)));
        }
        return (counts, actors);
        }
        // Every day of the window, quiet days as zero, so a chart's x axis is continuous.
        var perDay = Enumerable.Range(0, EventsPerDayWindow)
            .Select(i => DateOnly.FromDateTime(from.UtcDateTime.AddDays(i)))
            .Select(d => new DailyCount(d, counts.GetValueOrDefault(d)))
            .ToList();

        // Changes to the portal's own list are portal access; those to wallet:/job: lists are marketplace data, listed apart.
        var sensitive = await ReadEventsAsync(conn, "e.type = any(@types) and e.timestamp >= @from and (e.type <> all(@acl) or e.stream_id = @portal)",
            c => { SensitiveParameters(c, sensitiveFrom); }, 20, ct);
        var marketplace = await ReadEventsAsync(conn, "e.type = any(@acl) and e.timestamp >= @from and e.stream_id <> @portal",
            c => { SensitiveParameters(c, sensitiveFrom); }, ListLength, ct);
        // One lookup for the names of everyone on the auditor's lists.
        var names = await DisplayNamesAsync(actors.Select(a => a.Actor).Concat(sensitive.Select(e => e.Actor)).Concat(marketplace.Select(e => e.Actor)), ct);
        return new AuditorOverview(from, to, perDay, actorsFrom, [.. actors.Select(a => a with { ActorName = NameOf(names, a.Actor) })],
            sensitiveFrom, Named(sensitive, names), Named(marketplace, names), source);
    }

    /// <summary>
    /// Reads the daily read model's version that serves: while a new version of the read models is built after a shape
    /// change (<see cref="ReadModelUpgrade"/>), the previous version's table, complete as of the upgrade; if the previous
    /// version has no such table, the new one, said to be building. A bulk rebuild needs nothing here: it fills shadow
    /// tables and the current ones stay complete until its switch. The version probe is the lists' one (cached per node).
    /// </summary>
    private async Task<(T Value, ReadModelSource Source)> FromServingDailyAsync<T>(NpgsqlConnection conn, Func<string, Task<T>> read, CancellationToken ct)
    {
        var previous = ReadModelUpgrade.PreviousSchema(Schema);
        var previousTable = $"{previous}.{DailyActivityProjection.TableName}";
        // The lists' one probe (cached per node while its change feed listens); only while a previous version serves
        // does the overview ask whether that version has the daily table at all (an older portal's may not).
        await using (var session = store.QuerySession())
            if (!await ReadModelUpgrade.PreviousIsServingAsync(session, ct)) return (await read(Daily), ReadModelSource.Current);
        // No previous schema any more: switched and dropped since the probe, so the current tables are complete.
        var source = (ReadModelSource)await conn.ScalarAsync<int>(
            "select case when to_regclass(@t) is not null then 1 when to_regnamespace(@p) is not null then 2 else 0 end", ct,
            ("t", previousTable), ("p", previous));
        if (source == ReadModelSource.Previous)
        {
            try
            {
                return (await read(previousTable), source);
            }
            catch (Exception e) when (PreviousReadModels.IsGone(e))
            {
                // Switched meanwhile (another node dropped it): the new version is complete.
                source = ReadModelSource.Current;
            }
        }
        return (await read(Daily), source);
    }

    private static void SensitiveParameters(NpgsqlCommand c, DateTimeOffset from)
    {
        c.Parameters.AddWithValue("types", SensitiveEventTypes);
        c.Parameters.AddWithValue("acl", AclEventTypes);
        c.Parameters.AddWithValue("portal", Resources.PortalAclId);
        c.Parameters.AddWithValue("from", from);
    }

    /// <summary>Each half needs its own permission; the half the caller may not see comes back null.</summary>
    public async Task<AdminOverview> AdminAsync(CancellationToken ct = default)
    {
        var actor = await current.GetActorAsync();
        bool canProjections, canAcl;
        await using (var session = store.QuerySession())
        {
            await PortalAccess.DemandAsync(session, actor, "overview:admin", ct, Permission.EditAccessControl, Permission.ManageProjections);
            canProjections = await PortalAccess.IsAllowedAsync(session, actor, Permission.ManageProjections, ct);
            canAcl = await PortalAccess.IsAllowedAsync(session, actor, Permission.EditAccessControl, ct);
        }

        IReadOnlyList<ProjectionStatus>? status = null;
        if (canProjections)
            status = await (projections ?? new ProjectionOperations(store, time)).StatusAsync(null, ct);
        Integrity.SealStatus? seals = null;
        if (canProjections && sealing is not null)
        {
            await using var conn = await store.OpenConnectionAsync(ct);
            seals = await Integrity.EventSeals.ReadStatusAsync(conn, Schema, ct);
        }
        IReadOnlyList<OverviewEvent>? acl = null;
        if (canAcl)
        {
            await using var conn = await store.OpenConnectionAsync(ct);
            var changes = await ReadEventsAsync(conn, "e.type = any(@types)", c => c.Parameters.AddWithValue("types", AclEventTypes), ListLength, ct);
            acl = Named(changes, await DisplayNamesAsync(changes.Select(e => e.Actor), ct));
        }
        return new AdminOverview(status, acl, seals, sealing is null ? null : seals?.Problem(sealing));
    }

    public static DateTimeOffset DayStart(DateTimeOffset now) => new(now.UtcDateTime.Date, TimeSpan.Zero);

    public static DateTimeOffset WeekStart(DateTimeOffset now)
    {
        var day = DayStart(now);
        var sinceMonday = ((int)day.DayOfWeek + 6) % 7;
        return day.AddDays(-sinceMonday);
    }

    /// <summary>Display names beside the subjects of a list: the one lookup (<see cref="SignInLog.DisplayNamesAsync"/>), one query per call.</summary>
    private async Task<IReadOnlyDictionary<string, string>> DisplayNamesAsync(IEnumerable<string> actors, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await SignInLog.DisplayNamesAsync(session, actors.Distinct(StringComparer.OrdinalIgnoreCase), ct);
    }

    private static string? NameOf(IReadOnlyDictionary<string, string> names, string actor) => names.GetValueOrDefault(actor.Trim().ToLowerInvariant());

    private static IReadOnlyList<OverviewEvent> Named(IReadOnlyList<OverviewEvent> events, IReadOnlyDictionary<string, string> names) =>
        [.. events.Select(e => e with { ActorName = NameOf(names, e.Actor) })];

    /// <summary>Newest first by sequence, so the (type|user_name, seq_id desc) indexes answer with a short scan.</summary>
    private async Task<IReadOnlyList<OverviewEvent>> ReadEventsAsync(NpgsqlConnection conn, string where, Action<NpgsqlCommand> parameters, int limit, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"""
            select e.seq_id, e.type, coalesce(e.user_name, ''), e.timestamp, e.stream_id, coalesce(s.type, ''), e.data::text
            from (select * from {Schema}.mt_events e where {where} order by e.seq_id desc limit @limit) e
            left join {Schema}.mt_streams s on s.id = e.stream_id
            order by e.seq_id desc
            """, conn);
        parameters(cmd);
        cmd.Parameters.AddWithValue("limit", limit);
        var rows = new List<OverviewEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var type = AuditTypeNames.Logical(reader.GetString(1));
            var user = reader.GetString(2);
            using var data = JsonDocument.Parse(reader.GetString(6));
            rows.Add(new OverviewEvent(reader.GetInt64(0), type, user, reader.GetFieldValue<DateTimeOffset>(3), reader.GetGuid(4),
                reader.GetString(5), AuditSummaries.Summarize(type, data.RootElement, user)));
        }
        return rows;
    }
}
