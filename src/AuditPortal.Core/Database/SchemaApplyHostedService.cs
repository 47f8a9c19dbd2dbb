using AuditPortal.Core.Integrity;
using AuditPortal.Core.Projections;
using AuditPortal.Core.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AuditPortal.Core.Database;

/// <summary>
/// Registered before Marten's own hosted services, so the schema is in place before the async daemon starts.
/// With a migration connection the apply step runs as that role; with one role only, as today, the runtime store
/// applies its own changes. With <paramref name="apply"/> false (a web node outside Development, after the apply step
/// ran on its own) it only checks the node's event key against the database's.
/// </summary>
public sealed class SchemaApplyHostedService(
    IDocumentStore store, string runtimeConnectionString, string? migrationConnectionString, PortalStoreSettings settings, ILogger<SchemaApplyHostedService> logger,
    bool apply = true)
    : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        // First of all: a node whose Integrity:EventKey is not the database's could write nothing (every event refused);
        // say so by name before anything else can fail on it.
        await CheckNodeKeyAsync(requireBinding: !apply, ct);
        if (!apply) return;
        if (string.IsNullOrWhiteSpace(migrationConnectionString))
        {
            await ReadModelUpgrade.PrepareAsync(store, runtimeConnectionString, logger, ct);
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            await using var conn = await store.OpenConnectionAsync(ct);
            await EventSeals.EnsureTableAsync(conn, settings.SchemaName, ct);
            await SchemaApply.EnsureBindingAsync(conn, settings, ct);
            await ReadModelIndexes.EnsureAsync(conn, settings.SchemaName, ct);
            await ReadModelChangeFeed.EnsureTriggerAsync(conn, settings.SchemaName, ct);
            await ReadModelUpgrade.LabelAsync(conn, settings.SchemaName, ct);
            await SchemaApply.SetSearchPathAsync(conn, settings.SchemaName, ct);
            await CheckNodeKeyAsync(requireBinding: true, ct);
            return;
        }
        await SchemaApply.ApplyAsync(migrationConnectionString, runtimeConnectionString, settings, ct, logger);
        await CheckNodeKeyAsync(requireBinding: true, ct);
        logger.LogInformation("Schema applied as {MigrationRole}; runtime role {RuntimeRole} may append events but not rewrite them",
            DatabaseRoles.UserOf(migrationConnectionString), DatabaseRoles.UserOf(runtimeConnectionString));
    }

    private async Task CheckNodeKeyAsync(bool requireBinding, CancellationToken ct)
    {
        await using var conn = await store.OpenConnectionAsync(ct);
        await EventBinding.CheckNodeKeyAsync(conn, settings.SchemaName, settings.EventKey, requireBinding, ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
