using Microsoft.Extensions.Logging;
using Weasel.Core;

namespace AuditPortal.Core.Projections;

/// <summary>
/// Part of the apply step: a read model whose table shape changed (e.g. "column … cannot be added to an existing
/// table", or a renamed column) must never stop startup. Read models are derived from the events, so the previous
/// version's tables move into the schema <c>&lt;schema&gt;_previous</c>, marked serving: the lists read them
/// (<see cref="PreviousReadModels"/>) while the daemon builds the new version from the events. Once it has caught up,
/// <see cref="SwitchWhenCaughtUpAsync"/> ends the previous version's service for every node (drops it, or marks it
/// superseded). The read models share one pass (one composite), so all of them are rebuilt together.
/// </summary>
public static class ReadModelUpgrade
{
    /// <summary>The tables the read-model composite writes: they move together, since they share one progression.</summary>
    public static readonly string[] Tables = ReadModelCatalog.DefaultTables();

    /// <summary>
    /// Tables of earlier versions that no read model writes any more (the wallet history was a Marten document table
    /// before it became <c>wallet_transaction</c>): they leave with the previous version.
    /// </summary>
    public static readonly string[] RetiredTables = ["mt_doc_wallettransaction"];

    public static string PreviousSchema(string schema) => schema + "_previous";

    /// <summary>
    /// Compares the read-model tables with the code (as the role that owns the schema) and moves them aside when their
    /// shape changed. Returns the tables that could not be migrated (empty: nothing moved).
    /// </summary>
    public static async Task<string[]> PrepareAsync(IDocumentStore store, string connectionString, ILogger? logger = null, CancellationToken ct = default)
    {
        var schema = store.Options.DatabaseSchemaName;
        SchemaMigration migration;
        try
        {
            migration = await store.Storage.Database.CreateMigrationAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not even comparable (e.g. a column whose type the code reads differently): treat every read model as changed.
            logger?.LogWarning(e, "The read-model tables could not be compared with the code; building a new version of every read model");
            await MoveAsideAsync(connectionString, schema, ct);
            return Tables;
        }
        // Update too: an added or renamed column migrated in place would leave every existing row with the column's
        // default (a renamed balance reading 0) while the projection carries on from its old position.
        var invalid = ReadModelTables(migration, d => d is SchemaPatchDifference.Invalid or SchemaPatchDifference.Update);
        // A read model whose table is new to a database the read models have already been built in (the table replaced
        // a retired one) would start empty while the daemon carries on past every event it needs: a new version too.
        var created = ReadModelTables(migration, d => d == SchemaPatchDifference.Create);
        bool built;
        string[] retired;
        await using (var conn = await PortalSql.OpenAsync(connectionString, ct))
            (built, retired) = await BuiltAndRetiredAsync(conn, schema, ct);
        invalid = [.. invalid, .. built ? created : [], .. retired];
        if (invalid.Length == 0) return [];
        logger?.LogWarning(
            "The read-model tables {Tables} changed: the previous version moves to schema {Previous} and every read model is built again from the events",
            string.Join(", ", invalid), PreviousSchema(schema));
        await MoveAsideAsync(connectionString, schema, ct);
        return invalid;
    }

    /// <summary>
    /// The read-model tables whose shape in the database is not the code's (missing, changed) and the retired tables
    /// still there: a database the apply step of this version has not seen yet. Empty when the schema is current.
    /// Read-only (a catalog comparison), so any role may ask.
    /// </summary>
    public static async Task<string[]> BehindAsync(IDocumentStore store, CancellationToken ct = default)
    {
        var migration = await store.Storage.Database.CreateMigrationAsync(ct);
        var changed = ReadModelTables(migration, d => d != SchemaPatchDifference.None);
        await using var conn = await store.OpenConnectionAsync(ct);
        var (_, retired) = await BuiltAndRetiredAsync(conn, store.Options.DatabaseSchemaName, ct);
        return [.. changed, .. retired];
    }

    /// <summary>The read-model tables among a migration's deltas of the kinds asked for.</summary>
    private static string[] ReadModelTables(SchemaMigration migration, Func<SchemaPatchDifference, bool> kind) =>
        migration.Deltas
            .Where(d => kind(d.Difference))
            .Select(d => d.SchemaObject.Identifier.Name)
            .Where(name => Tables.Contains(name, StringComparer.OrdinalIgnoreCase))
            .ToArray();

    /// <summary>Whether the read models have been built in this database (the composite has progressed), and which retired tables are still there.</summary>
    private static async Task<(bool Built, string[] Retired)> BuiltAndRetiredAsync(NpgsqlConnection conn, string schema, CancellationToken ct)
    {
        var retired = await conn.QueryAsync(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = @schema and c.relname = any(@retired) and c.relkind = 'r'",
            r => r.GetString(0), ct, ("schema", schema), ("retired", RetiredTables));
        if (await conn.ScalarAsync<bool>($"select to_regclass('{schema}.mt_event_progression') is null", ct)) return (false, [.. retired]);
        var built = await conn.ScalarAsync<bool>($"select exists (select 1 from {Q(schema)}.mt_event_progression where name = '{ReadModelShards.CompositeShard}' and last_seq_id > 0)", ct);
        return (built, [.. retired]);
    }

    /// <summary>Marks the previous version's schema while it answers reads (a comment on the schema, seen by every node).</summary>
    public const string Serving = "serving";

    /// <summary>Marks a previous version kept after the switch (<c>Projections:DropPreviousReadModels</c> off): for inspection only.</summary>
    public const string Superseded = "superseded";

    /// <summary>
    /// Moves the read-model tables into the previous-version schema (indexes and constraints follow), marks it as
    /// serving and resets the composite's progression. When a previous version is still serving (a second shape change
    /// before the first new version caught up), that complete version stays and the current, incomplete tables are
    /// dropped instead: the previous schema always holds the last complete version.
    /// </summary>
    public static async Task MoveAsideAsync(string connectionString, string schema, CancellationToken ct = default)
    {
        var previous = PreviousSchema(schema);
        await using var conn = await PortalSql.OpenAsync(connectionString, ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Two nodes starting at once: the second waits here and then finds the first one's move done.
        await conn.ExecAsync($"select pg_advisory_xact_lock(hashtext('{previous}'))", ct);
        var keepPrevious = await StateAsync(conn, schema, ct) == Serving;
        await conn.ExecAsync($"create schema if not exists {Q(previous)}", ct);
        foreach (var table in Tables.Concat(RetiredTables))
        {
            await conn.ExecAsync(keepPrevious
                ? $"drop table if exists {Q(schema)}.{Q(table)} cascade"
                : $"""
                  do $$ begin
                    if to_regclass('{schema}.{table}') is not null then
                      execute 'drop table if exists {Q(previous)}.{Q(table)} cascade';
                      execute 'alter table {Q(schema)}.{Q(table)} set schema {Q(previous)}';
                    end if;
                  end $$
                  """, ct);
        }
        await conn.ExecAsync($"comment on schema {Q(previous)} is '{Serving}'", ct);
        // Every node's change feed forgets its cached "is a previous version serving?" when this commits.
        await NotifyAsync(conn, schema, ct);
        // The tables keep their grants when they move; the roles that read the portal's schema need the new one too.
        await conn.ExecAsync($"""
            do $$ declare r record; begin
              for r in select rolname from pg_roles
                       where not rolsuper and rolname <> current_user and rolname not like 'pg\_%'
                         and has_schema_privilege(oid, '{schema}', 'USAGE') loop
                execute format('grant usage on schema %I to %I', '{previous}', r.rolname);
              end loop;
            end $$
            """, ct);
        string[] rows = [ReadModelShards.CompositeShard, .. ReadModelShards.Members];
        await conn.ExecAsync($"""
            do $$ begin
              if to_regclass('{schema}.mt_event_progression') is not null then
                delete from {Q(schema)}.mt_event_progression where name = any(array[{string.Join(", ", rows.Select(r => $"'{r}'"))}]);
              end if;
            end $$
            """, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// The switch: waits until the composite has caught up with the events (the new version is complete), then ends
    /// the previous version's service for every node at once, by dropping it (<paramref name="dropPrevious"/>) or by
    /// marking it superseded. Returns false at once when no previous version is serving. Any node may run it; it is idempotent.
    /// </summary>
    public static async Task<bool> SwitchWhenCaughtUpAsync(IDocumentStore store, string ownerConnectionString, TimeSpan poll, bool dropPrevious, CancellationToken ct = default)
    {
        var schema = store.Options.DatabaseSchemaName;
        if (await StateAsync(ownerConnectionString, schema, ct) != Serving) return false;
        var probe = new ReadModelLagProbe(store);
        string[] all = [ReadModelShards.CompositeShard];
        using var timer = new PeriodicTimer(poll);
        while (true)
        {
            var lag = await probe.MeasureAsync(all, ct);
            // Missing progression reads as 0, so a build that has not started never counts as caught up.
            if (lag.HighWaterMark > 0 && lag.Behind == 0) break;
            await timer.WaitForNextTickAsync(ct);
        }
        if (dropPrevious)
        {
            await DropPreviousAsync(ownerConnectionString, schema, ct);
            return true;
        }
        await using var conn = await PortalSql.OpenAsync(ownerConnectionString, ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecAsync($"""
            do $$ begin
              if exists (select 1 from pg_namespace where nspname = '{PreviousSchema(schema)}') then
                execute 'comment on schema {Q(PreviousSchema(schema))} is ''{Superseded}''';
              end if;
            end $$
            """, ct);
        await LabelAsync(conn, schema, ct);
        await NotifyAsync(conn, schema, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>The payload on the change feed's channel (<see cref="ReadModelChangeFeed.Channel"/>) that says the serving version changed.</summary>
    public const string VersionNotice = "version";

    /// <summary>Tells every node's change feed, when the caller's transaction commits, that the serving version changed.</summary>
    private static Task NotifyAsync(NpgsqlConnection conn, string schema, CancellationToken ct) =>
        conn.ExecAsync($"select pg_notify({DatabaseRoles.Literal(ReadModelChangeFeed.Channel(schema))}, '{VersionNotice}')", ct);

    /// <summary>The start of the label a read-model table carries while it is being built as a new version.</summary>
    public const string BuildingLabel = "Being built";

    /// <summary>
    /// As the tables' owner (the apply step after Marten's schema, and the switch): while a previous version serves,
    /// every read-model table of the portal's schema says so to whoever reads it outside the portal (psql's <c>\dt+</c>,
    /// <c>obj_description</c>): "Being built as a new version of the read models since …; incomplete until the switch.
    /// Complete data: &lt;schema&gt;_previous.&lt;table&gt;". The first label's time stays; once nothing serves, the
    /// labels go (in the switch's own transaction). Other comments are left alone.
    /// </summary>
    public static Task LabelAsync(NpgsqlConnection owner, string schema, CancellationToken ct = default)
    {
        var s = DatabaseRoles.Literal(schema);
        var previous = DatabaseRoles.Literal(PreviousSchema(schema));
        var tables = "array[" + string.Join(", ", Tables.Select(DatabaseRoles.Literal)) + "]::text[]";
        return owner.ExecAsync($$"""
            do $$ declare t text; serving boolean; label text; begin
              serving := exists (select 1 from pg_namespace where nspname = {{previous}}
                                 and coalesce(obj_description(oid, 'pg_namespace'), '') <> {{DatabaseRoles.Literal(Superseded)}});
              foreach t in array {{tables}} loop
                continue when to_regclass(format('%I.%I', {{s}}, t)) is null;
                label := obj_description(format('%I.%I', {{s}}, t)::regclass, 'pg_class');
                if serving and label is null then
                  execute format('comment on table %I.%I is %L', {{s}}, t,
                    format('{{BuildingLabel}} as a new version of the read models since %s; incomplete until the switch. Complete data: %I.%I',
                           to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"'), {{previous}}, t));
                elsif not serving and label like {{DatabaseRoles.Literal(BuildingLabel + "%")}} then
                  execute format('comment on table %I.%I is null', {{s}}, t);
                end if;
              end loop;
            end $$
            """, ct);
    }

    /// <summary>
    /// One stream's document of a read model that rebuilds from its stream: while a new version is built the new table
    /// may not hold it yet and the previous one misses recent changes, so it is folded from the stream (milliseconds);
    /// otherwise it is loaded.
    /// </summary>
    public static async Task<T?> LoadOrFoldAsync<T>(IQuerySession session, Guid streamId, CancellationToken ct = default) where T : class
    {
        if (await PreviousIsServingAsync(session, ct))
            return await session.Events.AggregateStreamAsync<T>(streamId, token: ct);
        return await session.LoadAsync<T>(streamId, ct);
    }

    /// <summary>Whether the previous version answers reads now (it exists and the switch has not happened). One catalog read.</summary>
    /// <remarks>
    /// Every list read asks, so the answer is cached per node while its change feed listens (<see cref="PreviousVersionCache"/>:
    /// the move and the switch notify every feed); without a listening feed each call reads the catalog.
    /// </remarks>
    public static async Task<bool> PreviousIsServingAsync(IQuerySession session, CancellationToken ct = default)
    {
        var cache = PreviousVersionCache.For(session.DocumentStore);
        if (cache.Known is { } known) return known;
        var generation = cache.Generation;
        // A previous schema without a mark was left by an older portal before it caught up: it is serving too.
        var serving = (await session.QueryAsync<bool>(
            "select exists (select 1 from pg_namespace where nspname = ? and coalesce(obj_description(oid, 'pg_namespace'), '') <> ?)",
            ct, PreviousSchema(session.DocumentStore.Options.DatabaseSchemaName), Superseded)).FirstOrDefault();
        cache.Offer(generation, serving);
        return serving;
    }

    /// <summary>The previous version's mark: <see cref="Serving"/>, <see cref="Superseded"/>, or null when there is none.</summary>
    public static async Task<string?> StateAsync(string connectionString, string schema, CancellationToken ct = default)
    {
        await using var conn = await PortalSql.OpenAsync(connectionString, ct);
        return await StateAsync(conn, schema, ct);
    }

    private static Task<string?> StateAsync(NpgsqlConnection conn, string schema, CancellationToken ct) =>
        conn.ScalarAsync<string>(
            "select coalesce(obj_description(oid, 'pg_namespace'), @serving) from pg_namespace where nspname = @s", ct,
            ("s", PreviousSchema(schema)), ("serving", Serving));

    /// <summary>Drops the previous version's tables once the new version has caught up (the switch has happened).</summary>
    public static async Task DropPreviousAsync(string connectionString, string schema, CancellationToken ct = default)
    {
        await using var conn = await PortalSql.OpenAsync(connectionString, ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecAsync($"drop schema if exists {Q(PreviousSchema(schema))} cascade", ct);
        await LabelAsync(conn, schema, ct);
        await NotifyAsync(conn, schema, ct);
        await tx.CommitAsync(ct);
    }

    public static async Task<bool> PreviousExistsAsync(string connectionString, string schema, CancellationToken ct = default)
    {
        await using var conn = await PortalSql.OpenAsync(connectionString, ct);
        return await conn.ScalarAsync<bool>("select exists (select 1 from pg_namespace where nspname = @s)", ct, ("s", PreviousSchema(schema)));
    }

    private static string Q(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}
