using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Audit;
using Marten;

namespace AuditPortal.Web.Infrastructure;

/// <summary>Runs before the portal serves requests: audit indexes, the portal ACL with its bootstrap admin, demo data.</summary>
public sealed class PortalStartup(IDocumentStore store, AccessControlService acl, PortalDatabase database, IConfiguration configuration, ILogger<PortalStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        // With a migration role the apply step already made them; the runtime role may not touch the schema.
        if (database.MigrationConnectionString is null) await AuditIndexes.EnsureAsync(store, ct);
        var admin = configuration["Portal:BootstrapAdmin"] ?? "admin";
        await PortalBootstrap.EnsurePortalAclAsync(store, acl, admin, ct);
        logger.LogInformation("Portal ready; bootstrap admin is {Admin}", admin);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
