using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Audit;
using AuditPortal.Core.DemoData;
using Marten;

namespace AuditPortal.Web.Infrastructure;

/// <summary>Runs before the portal serves requests: audit indexes, demo data on a fresh database, the portal ACL with its bootstrap admin.</summary>
public sealed class PortalStartup(
    IDocumentStore store, AccessControlService acl, PortalDatabase database, TimeProvider time,
    IConfiguration configuration, ILogger<PortalStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        // With a migration role the apply step already made them; the runtime role may not touch the schema.
        if (database.MigrationConnectionString is null) await AuditIndexes.EnsureAsync(store, ct);
        // Seeding comes before the bootstrap so that it finds a store without a single event: demo data never
        // mixes into a database that already holds real history.
        if (configuration.GetValue<bool?>("DemoData:SeedOnStartup") ?? database.IsEmbedded)
            await SeedDemoDataAsync(ct);
        var admin = configuration["Portal:BootstrapAdmin"] ?? "admin";
        await PortalBootstrap.EnsurePortalAclAsync(store, acl, admin, ct);
        if (configuration.GetValue("Projections:DropPreviousReadModels", true))
            _dropPrevious = DropPreviousReadModelsAsync(_stopping.Token);
        logger.LogInformation("Portal ready; bootstrap admin is {Admin}", admin);
    }

    private readonly CancellationTokenSource _stopping = new();
    private Task _dropPrevious = Task.CompletedTask;

    /// <summary>
    /// After a read-model shape change the previous version's tables wait in &lt;schema&gt;_previous: drop them once the
    /// new version has caught up (as the schema owner). Any node may do it; it is idempotent.
    /// </summary>
    private async Task DropPreviousReadModelsAsync(CancellationToken ct)
    {
        try
        {
            await Core.Projections.ReadModelUpgrade.DropPreviousWhenCaughtUpAsync(
                store, database.MigrationConnectionString ?? database.ConnectionString, TimeSpan.FromSeconds(5), ct);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "The previous version of the read models could not be dropped; it stays in the _previous schema");
        }
    }

    private async Task SeedDemoDataAsync(CancellationToken ct)
    {
        await using (var query = store.QuerySession())
        {
            if (await query.Events.QueryAllRawEvents().AnyAsync(ct))
            {
                logger.LogInformation("Demo data not seeded: the event store already holds events");
                return;
            }
        }
        // The history ends at the current hour, so the demo looks recent; ids and the sequence of events do not depend on it.
        var now = time.GetUtcNow();
        var options = DemoOptions.Small with { End = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero) };
        var seeded = await DemoHistory.SeedAsync(store, options, ct);
        logger.LogInformation(
            "Seeded demo data: {Events} events ({Wallets} wallets, {Jobs} jobs, {Acls} access-control lists) from {From:yyyy-MM-dd} to {To:yyyy-MM-dd}",
            seeded.Events, seeded.Wallets, seeded.Jobs, seeded.AccessControlLists, seeded.From, seeded.To);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        await _dropPrevious;
    }
}
