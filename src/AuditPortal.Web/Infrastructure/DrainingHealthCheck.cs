using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.JSInterop;

namespace AuditPortal.Web.Infrastructure;

/// <summary>Unhealthy from the moment the node starts stopping, so that a load balancer sends resuming pages elsewhere.</summary>
public sealed class DrainingHealthCheck(CircuitHandoff handoff) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(handoff.Draining ? HealthCheckResult.Unhealthy("The node is stopping and hands its pages over.") : HealthCheckResult.Healthy());
}
