using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Common;

namespace AuditPortal.Web.Infrastructure;

public static class AccessControlRegistration
{
    /// <summary>Services of the AccessControl pages.</summary>
    public static IServiceCollection AddAccessControlPages(this IServiceCollection services)
    {
        // Scoped: each read checks the circuit's user (ICurrentActor) at the moment it runs.
        services.AddScoped<IAclQueries, AccessControlQueries>();
        services.AddSingleton<IAclCommands, AclCommands>();
        services.AddHealthChecks().AddCheck<AclIntegrityHealthCheck>("access-control");
        return services;
    }
}

/// <summary>
/// Degraded when the portal list's read model differs from its events: authorization never reads the document
/// (see <see cref="AclFromEvents"/>), so a difference is a write outside the projection, i.e. a tamper. Logged at error.
/// </summary>
public sealed class AclIntegrityHealthCheck(Marten.IDocumentStore store, ILogger<AclIntegrityHealthCheck> logger)
    : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public async Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var session = store.QuerySession();
            var problem = await CommandExecutor.ReportTamperingAsync(session, logger, ct);
            return problem is null
                ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy("The portal's access-control read model matches its events.")
                : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Degraded("ACL read model tampered: " + problem);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy("The access-control list could not be read.", e);
        }
    }
}

/// <summary>The two ACL commands the pages issue; a seam so component tests need no database.</summary>
public interface IAclCommands
{
    Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default);
    Task<CommandResult> RevokeAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default);
}

public sealed class AclCommands(AccessControlService service) : IAclCommands
{
    public Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default) =>
        service.GrantAsync(actor, commandId, aclId, principal, permission, reason, expectedVersion, ct);

    public Task<CommandResult> RevokeAsync(Actor actor, Guid commandId, Guid aclId, string principal, Permission permission, string reason, long? expectedVersion, CancellationToken ct = default) =>
        service.RevokeAsync(actor, commandId, aclId, principal, permission, reason, expectedVersion, ct);
}
