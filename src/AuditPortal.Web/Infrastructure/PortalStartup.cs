using AuditPortal.Core.DemoData;

namespace AuditPortal.Web.Infrastructure;

/// <summary>Runs before the portal serves requests: audit indexes, demo data on a fresh database, the portal ACL with its bootstrap admin.</summary>
public sealed class PortalStartup(
    IDocumentStore store, AccessControlService acl, PortalDatabase database, PortalStoreSettings settings, TimeProvider time,
    Core.Approvals.ApprovalPolicy approvals, IConfiguration configuration, ILogger<PortalStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        // With a migration role the apply step already made them; the runtime role may not touch the schema.
        if (database.MigrationConnectionString is null && database.AppliesSchema) await AuditIndexes.EnsureAsync(store, ct);
        // Seeding comes before the bootstrap so that it finds a store without a single event: demo data never
        // mixes into a database that already holds real history.
        if (configuration.GetValue<bool?>("DemoData:SeedOnStartup") ?? database.IsEmbedded)
            await SeedDemoDataAsync(ct);
        var admin = configuration["Portal:BootstrapAdmin"] ?? "admin";
        await PortalBootstrap.EnsurePortalAclAsync(store, acl, admin, ct);
        _switch = SwitchReadModelsAsync(configuration.GetValue("Projections:DropPreviousReadModels", true), _stopping.Token);
        logger.LogInformation("Portal ready; bootstrap admin is {Admin}", admin);
    }

    private readonly CancellationTokenSource _stopping = new();
    private Task _switch = Task.CompletedTask;

    /// <summary>
    /// After a read-model shape change the previous version answers the lists from &lt;schema&gt;_previous while the
    /// new one is built: once the new version has caught up, end that for every node (as the schema owner) by dropping
    /// the previous version, or by marking it superseded when <c>Projections:DropPreviousReadModels</c> is off. Every
    /// node runs this, also those whose daemon does not hold the build (HotCold); it is idempotent.
    /// </summary>
    private async Task SwitchReadModelsAsync(bool dropPrevious, CancellationToken ct)
    {
        try
        {
            if (await Core.Projections.ReadModelUpgrade.SwitchWhenCaughtUpAsync(
                    store, database.MigrationConnectionString ?? database.ConnectionString, TimeSpan.FromSeconds(2), dropPrevious, ct))
                logger.LogInformation("The new version of the read models has caught up: the lists switched to it; the previous version was {Fate}",
                    dropPrevious ? "dropped" : "kept (superseded) in the _previous schema");
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "The switch to the new version of the read models failed; the previous version keeps answering the lists");
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
        // Its open approval requests use this portal's expiry, so they are still open now (not expired at the first check).
        var now = time.GetUtcNow();
        var options = DemoOptions.Small with
        {
            End = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero), ApprovalExpiry = approvals.ExpiresAfter,
        };
        // A historic import keeps each event's time only when run as the schema owner (the database gives the runtime
        // role's events its own clock): seed through a store of the migration role when there is one.
        await using var owner = database.MigrationConnectionString is { } migrations
            ? DocumentStore.For(o => { PortalStore.Configure(o, migrations, settings); PortalSchema.IgnoreAuditIndexes(o); })
            : null;
        var seeded = await DemoHistory.SeedAsync(owner ?? store, options, ct);
        logger.LogInformation(
            "Seeded demo data: {Events} events ({Wallets} wallets, {Jobs} jobs, {Acls} access-control lists) from {From:yyyy-MM-dd} to {To:yyyy-MM-dd}; binding cost {BindingMicroseconds:F1} us per event",
            seeded.Events, seeded.Wallets, seeded.Jobs, seeded.AccessControlLists, seeded.From, seeded.To,
            seeded.Events == 0 ? 0 : seeded.BindingTime.TotalMicroseconds / seeded.Events);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        await _switch;
    }
}
