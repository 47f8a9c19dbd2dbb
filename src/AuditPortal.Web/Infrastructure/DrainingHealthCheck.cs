using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AuditPortal.Web.Infrastructure;

/// <summary>Unhealthy from the moment the node starts stopping, so that a load balancer sends resuming pages elsewhere.</summary>
public sealed class DrainingHealthCheck(CircuitHandoff handoff) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(handoff.Draining ? HealthCheckResult.Unhealthy("The node is stopping and hands its pages over.") : HealthCheckResult.Healthy());
}
