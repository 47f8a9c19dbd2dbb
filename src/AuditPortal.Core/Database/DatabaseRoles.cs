namespace AuditPortal.Core.Database;

/// <summary>
/// Two database roles so that the event table is append-only for the running portal: a migration role owns the
/// schema (used only by the apply step) and a runtime role may read and append events but never rewrite them.
/// </summary>
public static class DatabaseRoles
{
    /// <summary>Tables the runtime role may only SELECT and INSERT: the events.</summary>
    public static readonly string[] AppendOnlyTables = ["mt_events"];

    /// <summary>
    /// Tables the runtime role may only SELECT: the seals, written only by the SECURITY DEFINER sealing function
    /// that the schema owner owns (see <see cref="Integrity.EventSeals"/>), so the portal cannot forge a seal.
    /// The same for the recorded read-model index statements, run only by the schema owner's functions
    /// (<see cref="Projections.ReadModelIndexes"/>): a statement the portal could write would run as the schema owner.
    /// </summary>
    public static readonly string[] ReadOnlyTables = [Integrity.EventSeals.TableName, Projections.ReadModelIndexes.TableName];

    /// <summary>
    /// Tables the runtime role may not even read: the event binding key (<see cref="Integrity.EventBinding"/>), read
    /// only by the schema owner's trigger (a role that could read it could bind any event it inserts), and the sealer's
    /// marks, from which the sealing function chooses its own ceiling (a mark the portal could write would let it seal
    /// past a transaction in flight).
    /// </summary>
    public static readonly string[] OwnerOnlyTables = [Integrity.EventBinding.KeyTable, Integrity.EventSeals.MarksTableName];

    /// <summary>
    /// As a superuser: creates (or keeps) the login roles, lets the migration role create the schema in the database
    /// and hands existing schema objects (e.g. from an earlier single-role run) over to the migration role.
    /// Roles have no password: meant for the embedded cluster and tests, which trust 127.0.0.1.
    /// </summary>
    public static async Task EnsureAsync(string superuserConnectionString, string schema, string migrationRole, string runtimeRole, CancellationToken ct = default)
    {
        await using var conn = await PortalSql.OpenAsync(superuserConnectionString, ct);
        var database = conn.Database;
        foreach (var role in new[] { migrationRole, runtimeRole })
        {
            // Roles are cluster-wide: two databases setting up at once may race on the same name.
            await conn.ExecAsync($"""
                do $$ begin
                  if not exists (select 1 from pg_roles where rolname = {Literal(role)}) then
                    create role {Ident(role)} login;
                  end if;
                exception when duplicate_object or unique_violation then null;
                end $$
                """, ct);
        }
        await conn.ExecAsync($"grant create, connect on database {Ident(database)} to {Ident(migrationRole)}", ct);
        await conn.ExecAsync($"grant connect on database {Ident(database)} to {Ident(runtimeRole)}", ct);
        await conn.ExecAsync($"create schema if not exists {Ident(schema)} authorization {Ident(migrationRole)}", ct);
        await conn.ExecAsync($"alter schema {Ident(schema)} owner to {Ident(migrationRole)}", ct);
        // So that psql as any role of this database (the superuser too) finds account_projection unqualified.
        await conn.ExecAsync($"alter database {Ident(database)} set search_path to {Ident(schema)}, public", ct);
        // Tables first (their serial sequences follow), then free-standing sequences and functions.
        await conn.ExecAsync($"""
            do $$ declare r record; begin
              for r in select c.oid::regclass::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
                       where n.nspname = {Literal(schema)} and c.relkind in ('r', 'p', 'v', 'm')
                         and pg_get_userbyid(c.relowner) <> {Literal(migrationRole)} loop
                execute format('alter table %s owner to %I', r.name, {Literal(migrationRole)});
              end loop;
              for r in select c.oid::regclass::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
                       where n.nspname = {Literal(schema)} and c.relkind = 'S'
                         and pg_get_userbyid(c.relowner) <> {Literal(migrationRole)} loop
                begin
                  execute format('alter sequence %s owner to %I', r.name, {Literal(migrationRole)});
                exception when feature_not_supported or object_not_in_prerequisite_state then null;
                end;
              end loop;
              for r in select p.oid::regprocedure::text as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                       where n.nspname = {Literal(schema)} and pg_get_userbyid(p.proowner) <> {Literal(migrationRole)} loop
                execute format('alter routine %s owner to %I', r.name, {Literal(migrationRole)});
              end loop;
            end $$
            """, ct);
    }

    /// <summary>
    /// As the migration role, after the schema is applied: what Marten needs at run time (documents, streams,
    /// progression, dead letters, sequences, functions), minus any rewrite of the events and any write of the seals
    /// (the runtime role seals by calling the sealing function, which runs as the schema owner).
    /// </summary>
    public static async Task GrantRuntimeAsync(NpgsqlConnection migrationConnection, string schema, string runtimeRole, CancellationToken ct = default)
    {
        var s = Ident(schema);
        var r = Ident(runtimeRole);
        await migrationConnection.ExecAsync($"revoke create on schema {s} from {r}", ct);
        await migrationConnection.ExecAsync($"grant usage on schema {s} to {r}", ct);
        await migrationConnection.ExecAsync($"grant select, insert, update, delete, truncate on all tables in schema {s} to {r}", ct);
        await migrationConnection.ExecAsync($"grant usage, select, update on all sequences in schema {s} to {r}", ct);
        await migrationConnection.ExecAsync($"grant execute on all functions in schema {s} to {r}", ct);
        // A relation the applied schema does not have (yet) is skipped: its statements run only where it exists.
        Task WhereExistsAsync(string relation, params string[] statements) => migrationConnection.ExecAsync($"""
            do $$ begin
              if to_regclass({Literal(schema + "." + relation)}) is not null then
                {string.Join(" ", statements.Select(x => $"execute '{x}';"))}
              end if;
            end $$
            """, ct);
        foreach (var table in AppendOnlyTables)
            await WhereExistsAsync(table, $"revoke update, delete, truncate, references, trigger on {s}.{Ident(table)} from {r}", $"grant select, insert on {s}.{Ident(table)} to {r}");
        foreach (var table in OwnerOnlyTables)
            await WhereExistsAsync(table, $"revoke all on {s}.{Ident(table)} from {r}");
        // Marten draws sequence numbers with nextval (USAGE) and reads the high-water mark (SELECT); it never sets the
        // sequence at run time, and a role that could (setval) would choose the numbers of the events that follow.
        await WhereExistsAsync("mt_events_sequence", $"revoke update on sequence {s}.mt_events_sequence from {r}");
        foreach (var table in ReadOnlyTables)
            await WhereExistsAsync(table, $"revoke insert, update, delete, truncate, references, trigger on {s}.{Ident(table)} from {r}", $"grant select on {s}.{Ident(table)} to {r}");
    }

    /// <summary>The same connection string with another user (no password: trust authentication).</summary>
    public static string WithUser(string connectionString, string user) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = user, Password = null }.ConnectionString;

    public static string UserOf(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Username ?? "";

    internal static string Ident(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
    internal static string Literal(string value) => "'" + value.Replace("'", "''") + "'";
}
