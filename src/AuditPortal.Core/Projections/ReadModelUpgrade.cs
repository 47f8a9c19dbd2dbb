using Marten;
using Microsoft.Extensions.Logging;
using Npgsql;
using Weasel.Core;

namespace AuditPortal.Core.Projections;

/// <summary>
/// Part of the apply step: a read model whose table shape changed in a way PostgreSQL cannot migrate in place (e.g.
/// "column … cannot be added to an existing table") must never stop startup. Read models are derived from the events,
/// so the previous version's tables are moved into the schema <c>&lt;schema&gt;_previous</c> (kept until the new version
/// has caught up, then dropped when <c>Projections:DropPreviousReadModels</c> is on), their progression is reset, and the
/// daemon builds the new version from the events while the list pages show its progress. The read models share one
/// pass (one composite), so all of them are rebuilt together.
/// </summary>
public static class ReadModelUpgrade
{
    /// <summary>The tables the read-model composite writes: they move together, since they share one progression.</summary>
    public static readonly string[] Tables =
        ["mt_doc_walletsummary", "mt_doc_wallettransaction", Wallets.AccountProjection.TableName, "mt_doc_jobownerview", "mt_doc_jobparticipantview"];

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
        var invalid = migration.Deltas
            // Update too: an added or renamed column migrated in place would leave every existing row with the column's
            // default (a renamed balance reading 0) while the projection carries on from its old position.
            .Where(d => d.Difference is SchemaPatchDifference.Invalid or SchemaPatchDifference.Update)
            .Select(d => d.SchemaObject.Identifier.Name)
            .Where(name => Tables.Contains(name, StringComparer.OrdinalIgnoreCase))
            .ToArray();
        if (invalid.Length == 0) return [];
        logger?.LogWarning(
            "The shape of {Tables} changed: the previous version moves to schema {Previous} and every read model is built again from the events",
            string.Join(", ", invalid), PreviousSchema(schema));
        await MoveAsideAsync(connectionString, schema, ct);
        return invalid;
    }

    /// <summary>Moves the read-model tables into the previous-version schema (indexes and constraints follow) and resets their progression.</summary>
    public static async Task MoveAsideAsync(string connectionString, string schema, CancellationToken ct = default)
    {
        var previous = PreviousSchema(schema);
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await ExecAsync(conn, $"create schema if not exists {Q(previous)}", ct);
        foreach (var table in Tables)
        {
            await ExecAsync(conn, $"""
                do $$ begin
                  if to_regclass('{schema}.{table}') is not null then
                    execute 'drop table if exists {Q(previous)}.{Q(table)} cascade';
                    execute 'alter table {Q(schema)}.{Q(table)} set schema {Q(previous)}';
                  end if;
                end $$
                """, ct);
        }
        string[] rows = [ReadModelShards.CompositeShard, ReadModelShards.WalletSummary, ReadModelShards.WalletTransaction,
            ReadModelShards.AccountProjection, ReadModelShards.JobOwnerView, ReadModelShards.JobParticipantView];
        await using (var reset = new NpgsqlCommand($"""
            do $$ begin
              if to_regclass('{schema}.mt_event_progression') is not null then
                delete from {Q(schema)}.mt_event_progression where name = any(array[{string.Join(", ", rows.Select(r => $"'{r}'"))}]);
              end if;
            end $$
            """, conn))
        {
            await reset.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Waits until every read model has caught up with the events (the new version has replaced the previous one), then
    /// drops the previous version's tables. Returns at once when there is no previous version.
    /// </summary>
    public static async Task DropPreviousWhenCaughtUpAsync(IDocumentStore store, string ownerConnectionString, TimeSpan poll, CancellationToken ct = default)
    {
        var schema = store.Options.DatabaseSchemaName;
        if (!await PreviousExistsAsync(ownerConnectionString, schema, ct)) return;
        var probe = new ReadModelLagProbe(store);
        string[] all = [ReadModelShards.CompositeShard];
        using var timer = new PeriodicTimer(poll);
        while (true)
        {
            var lag = await probe.MeasureAsync(all, ct);
            if (lag.HighWaterMark > 0 && lag.Behind == 0) break;
            await timer.WaitForNextTickAsync(ct);
        }
        await DropPreviousAsync(ownerConnectionString, schema, ct);
    }

    /// <summary>Drops the previous version's tables once the new version has caught up (the switch has happened).</summary>
    public static async Task DropPreviousAsync(string connectionString, string schema, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await ExecAsync(conn, $"drop schema if exists {Q(PreviousSchema(schema))} cascade", ct);
    }

    public static async Task<bool> PreviousExistsAsync(string connectionString, string schema, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("select exists (select 1 from pg_namespace where nspname = @s)", conn);
        cmd.Parameters.AddWithValue("s", PreviousSchema(schema));
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static string Q(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    private static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
