using AuditPortal.Core.Common;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// Degraded when the portal list's read model differs from its events: authorization never reads the document
/// (see <see cref="AccessControlFromEvents"/>), so a difference is a write outside the projection, i.e. a tamper. Logged at error.
/// </summary>
public sealed class AccessControlIntegrityHealthCheck(Marten.IDocumentStore store, ILogger<AccessControlIntegrityHealthCheck> logger)
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
