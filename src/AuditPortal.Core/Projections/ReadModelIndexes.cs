namespace AuditPortal.Core.Projections;

/// <summary>
/// Lets a bulk rebuild fill shadow tables beside the read-model tables, build their indexes and keys once the rows are in
/// (building an index over 840,000 rows once costs a fraction of keeping it up to date row by row), and switch them in.
/// Only the owner of a table may create, drop or index it, and the portal's runtime role owns none, so the apply step
/// (as the schema owner) records the indexes' statements in <see cref="TableName"/> and creates SECURITY DEFINER
/// functions: the shadow functions accept only the read-model tables, the create function runs only recorded
/// statements. The runtime role may read the table and call the functions, never write the table.
/// </summary>
public static class ReadModelIndexes
{
    public const string TableName = "read_model_indexes";
    /// <summary>Dropped indexes in place before the shadow tables; removed from databases that still have it.</summary>
    private const string RetiredDropFunction = "read_model_indexes_drop";
    public const string CreateFunction = "read_model_indexes_create";
    public const string ShadowCreateFunction = "read_model_shadow_create";
    public const string ShadowSwitchFunction = "read_model_shadow_switch";

    /// <summary>A bulk rebuild writes <c>&lt;table&gt;_shadow</c> while readers keep reading <c>&lt;table&gt;</c>.</summary>
    public const string ShadowSuffix = "_shadow";

    /// <summary>As the schema owner, after Marten's schema is applied: records the read-model tables' indexes as they are now.</summary>
    public static async Task EnsureAsync(NpgsqlConnection owner, string schema, CancellationToken ct = default)
    {
        var s = DatabaseRoles.Ident(schema);
        await using var tx = await owner.BeginTransactionAsync(ct);
        // Names in the recorded statements come out schema-qualified whatever the caller's search_path.
        await owner.ExecAsync("set local search_path = pg_catalog", ct);
        await owner.ExecAsync($"""
            create table if not exists {s}.{TableName} (
                index_name text primary key,
                table_name text not null,
                is_key boolean not null,
                drop_sql text not null,
                create_sql text not null);
            delete from {s}.{TableName};
            insert into {s}.{TableName} (index_name, table_name, is_key, drop_sql, create_sql)
            select quote_ident(n.nspname) || '.' || quote_ident(i.relname), t.relname, c.oid is not null,
                   case when c.oid is null then 'drop index ' || quote_ident(n.nspname) || '.' || quote_ident(i.relname)
                        else 'alter table ' || quote_ident(n.nspname) || '.' || quote_ident(t.relname) || ' drop constraint ' || quote_ident(c.conname) end,
                   case when c.oid is null then pg_get_indexdef(x.indexrelid)
                        else 'alter table ' || quote_ident(n.nspname) || '.' || quote_ident(t.relname) || ' add constraint ' || quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid) end
            from pg_index x
            join pg_class i on i.oid = x.indexrelid
            join pg_class t on t.oid = x.indrelid
            join pg_namespace n on n.oid = t.relnamespace
            left join pg_constraint c on c.conindid = x.indexrelid and c.conrelid = x.indrelid
            where n.nspname = {DatabaseRoles.Literal(schema)} and t.relname = any(@tables);
            """, ct, ("tables", ReadModelUpgrade.Tables));
        // SECURITY DEFINER with a fixed search_path (the runtime role's settings cannot redirect a name); each runs only
        // recorded statements, for the tables asked for, and skips an index already dropped or already there.
        await owner.ExecAsync($"""
            drop function if exists {s}.{RetiredDropFunction}(text[]);
            create or replace function {s}.{CreateFunction}(tables text[]) returns integer
            language plpgsql security definer set search_path = pg_catalog, pg_temp as $fn$
            declare r record; n integer := 0;
            begin
              -- Keys first: the other indexes are then built over rows the keys have checked.
              for r in select create_sql, index_name from {s}.{TableName} where table_name = any(tables) order by is_key desc, index_name loop
                if to_regclass(r.index_name) is null then
                  execute r.create_sql;
                  n := n + 1;
                end if;
              end loop;
              return n;
            end $fn$;
            """, ct);
        // The shadow of a read-model table: same columns, defaults and checks, the same grants (the runtime role's
        // privileges follow the table, DatabaseRoles), no index yet; its indexes and keys are recorded under the
        // shadow's name (original name + suffix), so the create function above builds them once the rows are in.
        // Only the tables listed here (the read models', fixed when the apply step ran) can be shadowed or switched.
        var allowed = "array[" + string.Join(", ", ReadModelUpgrade.Tables.Select(DatabaseRoles.Literal)) + "]::text[]";
        var schemaLiteral = DatabaseRoles.Literal(schema);
        await owner.ExecAsync($"""
            create or replace function {s}.{ShadowCreateFunction}(tables text[]) returns integer
            language plpgsql security definer set search_path = pg_catalog, pg_temp as $fn$
            declare t text; shadow text; r record; sname text; def text; n integer := 0;
            begin
              foreach t in array tables loop
                if not (t = any({allowed})) then raise exception 'not a read-model table: %', t; end if;
                shadow := t || {DatabaseRoles.Literal(ShadowSuffix)};
                execute format('drop table if exists %I.%I', {schemaLiteral}, shadow);
                execute format('create table %I.%I (like %I.%I including defaults including constraints including generated including storage)',
                               {schemaLiteral}, shadow, {schemaLiteral}, t);
                for r in select case when a.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(a.grantee)) end as who, a.privilege_type
                         from pg_class c cross join lateral aclexplode(c.relacl) a
                         where c.oid = format('%I.%I', {schemaLiteral}, t)::regclass and a.grantee <> c.relowner loop
                  execute format('grant %s on %I.%I to %s', r.privilege_type, {schemaLiteral}, shadow, r.who);
                end loop;
                -- The table's comment too (e.g. ReadModelUpgrade's "being built" label): the switch must not lose it.
                execute format('comment on table %I.%I is %L', {schemaLiteral}, shadow,
                               obj_description(format('%I.%I', {schemaLiteral}, t)::regclass, 'pg_class'));
                delete from {s}.{TableName} where table_name = shadow;
                for r in select i.relname as idx, c.conname, c.oid as conoid, x.indexrelid, x.indisunique
                         from pg_index x join pg_class i on i.oid = x.indexrelid
                         left join pg_constraint c on c.conindid = x.indexrelid and c.conrelid = x.indrelid
                         where x.indrelid = format('%I.%I', {schemaLiteral}, t)::regclass loop
                  sname := left(coalesce(r.conname, r.idx), 56) || {DatabaseRoles.Literal(ShadowSuffix)};
                  if r.conoid is not null then
                    insert into {s}.{TableName} values (format('%I.%I', {schemaLiteral}, sname), shadow, true,
                      format('alter table %I.%I drop constraint %I', {schemaLiteral}, shadow, sname),
                      format('alter table %I.%I add constraint %I ', {schemaLiteral}, shadow, sname) || pg_get_constraintdef(r.conoid));
                  else
                    def := pg_get_indexdef(r.indexrelid);
                    insert into {s}.{TableName} values (format('%I.%I', {schemaLiteral}, sname), shadow, false,
                      format('drop index %I.%I', {schemaLiteral}, sname),
                      'CREATE ' || case when r.indisunique then 'UNIQUE ' else '' end || 'INDEX ' || quote_ident(sname) || ' ON '
                        || format('%I.%I', {schemaLiteral}, shadow) || substr(def, position(' USING ' in def)));
                  end if;
                  n := n + 1;
                end loop;
              end loop;
              return n;
            end $fn$;
            -- Drops each table and renames its shadow (and the shadow's indexes and keys) to the table's names: the
            -- names Marten's schema check expects. Each table's exclusive lock is held from here to the commit.
            create or replace function {s}.{ShadowSwitchFunction}(tables text[]) returns integer
            language plpgsql security definer set search_path = pg_catalog, pg_temp as $fn$
            declare t text; shadow text; r record; names text[]; keys boolean[]; i integer; n integer := 0;
            begin
              foreach t in array tables loop
                if not (t = any({allowed})) then raise exception 'not a read-model table: %', t; end if;
                shadow := t || {DatabaseRoles.Literal(ShadowSuffix)};
                if to_regclass(format('%I.%I', {schemaLiteral}, shadow)) is null then raise exception 'no shadow of %', t; end if;
                select coalesce(array_agg(coalesce(c.conname, i2.relname)), array[]::text[]), coalesce(array_agg(c.oid is not null), array[]::boolean[]) into names, keys
                from pg_index x join pg_class i2 on i2.oid = x.indexrelid
                left join pg_constraint c on c.conindid = x.indexrelid and c.conrelid = x.indrelid
                where x.indrelid = format('%I.%I', {schemaLiteral}, t)::regclass;
                execute format('drop table %I.%I', {schemaLiteral}, t);
                execute format('alter table %I.%I rename to %I', {schemaLiteral}, shadow, t);
                for i in 1 .. coalesce(array_length(names, 1), 0) loop
                  if keys[i] then
                    execute format('alter table %I.%I rename constraint %I to %I', {schemaLiteral}, t, left(names[i], 56) || {DatabaseRoles.Literal(ShadowSuffix)}, names[i]);
                  else
                    execute format('alter index %I.%I rename to %I', {schemaLiteral}, left(names[i], 56) || {DatabaseRoles.Literal(ShadowSuffix)}, names[i]);
                  end if;
                end loop;
                delete from {s}.{TableName} where table_name = shadow;
                n := n + 1;
              end loop;
              return n;
            end $fn$;
            """, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Whether the apply step recorded the indexes in this database (an older database may not have it yet).</summary>
    public static async Task<bool> AvailableAsync(NpgsqlConnection conn, string schema, CancellationToken ct = default) =>
        await conn.ScalarAsync<bool>("select to_regprocedure(@create) is not null", ct,
            ("create", $"{DatabaseRoles.Ident(schema)}.{CreateFunction}(text[])"));

    /// <summary>Whether the apply step created the shadow functions in this database.</summary>
    public static async Task<bool> ShadowAvailableAsync(NpgsqlConnection conn, string schema, CancellationToken ct = default) =>
        await conn.ScalarAsync<bool>("select to_regprocedure(@create) is not null and to_regprocedure(@switch) is not null", ct,
            ("create", $"{DatabaseRoles.Ident(schema)}.{ShadowCreateFunction}(text[])"),
            ("switch", $"{DatabaseRoles.Ident(schema)}.{ShadowSwitchFunction}(text[])"));

    /// <summary>Creates an empty shadow of each of <paramref name="tables"/> (in the caller's transaction); returns how many indexes and keys it recorded for them.</summary>
    public static Task<int> ShadowCreateAsync(NpgsqlConnection conn, string schema, string[] tables, CancellationToken ct = default) =>
        CallAsync(conn, schema, ShadowCreateFunction, tables, ct);

    /// <summary>Replaces each of <paramref name="tables"/> by its shadow (in the caller's transaction); returns how many.</summary>
    public static Task<int> ShadowSwitchAsync(NpgsqlConnection conn, string schema, string[] tables, CancellationToken ct = default) =>
        CallAsync(conn, schema, ShadowSwitchFunction, tables, ct);

    /// <summary>Builds the recorded indexes and keys of <paramref name="tables"/> again; returns how many.</summary>
    public static Task<int> CreateAsync(NpgsqlConnection conn, string schema, string[] tables, CancellationToken ct = default) =>
        CallAsync(conn, schema, CreateFunction, tables, ct);

    private static async Task<int> CallAsync(NpgsqlConnection conn, string schema, string function, string[] tables, CancellationToken ct)
    {
        // Building the indexes of a million rows takes longer than a query's timeout; the token cancels it.
        await using var cmd = conn.Command($"select {DatabaseRoles.Ident(schema)}.{function}(@tables)", ("tables", tables)).WithoutTimeout();
        return await cmd.ScalarAsync<int>(ct);
    }
}
