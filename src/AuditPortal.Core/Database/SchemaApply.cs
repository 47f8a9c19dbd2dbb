using AuditPortal.Core.Integrity;
using AuditPortal.Core.Projections;
using AuditPortal.Core.Store;
using JasperFx;
using Microsoft.Extensions.Logging;

namespace AuditPortal.Core.Database;

/// <summary>
/// The apply step: as the migration role, create or update Marten's schema, the audit indexes and the seal table,
/// then grant the runtime role what it needs (and no rewrite of the events).
/// </summary>
public static class SchemaApply
{
    public static async Task ApplyAsync(string migrationConnectionString, string runtimeConnectionString, PortalStoreSettings settings, CancellationToken ct = default, ILogger? logger = null)
    {
        await using (var store = DocumentStore.For(o =>
               {
                   PortalStore.Configure(o, migrationConnectionString, settings with { AutoCreate = AutoCreate.CreateOrUpdate });
                   PortalSchema.IgnoreAuditIndexes(o);
               }))
        {
            await ReadModelUpgrade.PrepareAsync(store, migrationConnectionString, logger, ct);
            await AuditIndexes.EnsureAsync(store, ct);
        }

        await using var conn = await PortalSql.OpenAsync(migrationConnectionString, ct);
        await EventSeals.EnsureTableAsync(conn, settings.SchemaName, ct);
        await EnsureBindingAsync(conn, settings, ct);
        await ReadModelIndexes.EnsureAsync(conn, settings.SchemaName, ct);
        await ReadModelChangeFeed.EnsureTriggerAsync(conn, settings.SchemaName, ct);
        await ReadModelUpgrade.LabelAsync(conn, settings.SchemaName, ct);
        await SetSearchPathAsync(conn, settings.SchemaName, ct);
        var runtimeRole = DatabaseRoles.UserOf(runtimeConnectionString);
        if (runtimeRole.Length > 0 && runtimeRole != DatabaseRoles.UserOf(migrationConnectionString))
        {
            await DatabaseRoles.GrantRuntimeAsync(conn, settings.SchemaName, runtimeRole, ct);
            await using var runtime = await PortalSql.OpenAsync(runtimeConnectionString, ct);
            await SetSearchPathAsync(runtime, settings.SchemaName, ct);
        }
    }

    /// <summary>
    /// The database's side of event binding (<see cref="EventBinding.EnsureAsync"/>). Without a key (a verb that only
    /// reads, an old test store) an existing binding stays as it is and none is created.
    /// </summary>
    public static async Task EnsureBindingAsync(NpgsqlConnection owner, PortalStoreSettings settings, CancellationToken ct = default)
    {
        if (settings.EventKey is { Length: > 0 } key) await EventBinding.EnsureAsync(owner, settings.SchemaName, key, ct);
    }

    /// <summary>
    /// Puts the portal's schema on the connected role's search path in this database, so that
    /// <c>select aggregate_id, credits from account_projection</c> works in psql as that role. Each role sets its own
    /// default (allowed without CREATEROLE or owning the database, so it works on an external database too); Marten
    /// itself always qualifies names and does not depend on it.
    /// </summary>
    public static async Task SetSearchPathAsync(NpgsqlConnection conn, string schema, CancellationToken ct = default)
    {
        var sql = $"alter role current_user in database {DatabaseRoles.Ident(conn.Database!)} set search_path to {DatabaseRoles.Ident(schema)}, public";
        await conn.ExecAsync(sql, ct);
    }
}
