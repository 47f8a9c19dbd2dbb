using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AuditPortal.Web.Infrastructure;

public sealed class DatabaseHealthCheck(IDocumentStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var session = store.QuerySession();
            var one = await session.QueryAsync<int>("select 1", ct);
            return HealthCheckResult.Healthy("PostgreSQL answers.");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is not reachable.", e);
        }
    }
}

/// <summary>
/// Degraded when the daemon is stalled (events waiting, nothing advancing over Health:StallWindowSeconds) or a
/// projection is paused on an error; the description names the failing event.
/// </summary>
public sealed class ProjectionDaemonHealthCheck(DaemonHealth health, ProjectionRebuilds rebuilds) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var report = await health.CheckAsync(rebuilds.Rebuilding(), ct);
            return report.Degraded
                ? HealthCheckResult.Degraded(report.Description, data: report.Data)
                : HealthCheckResult.Healthy(report.Description, report.Data);
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("Projection progress could not be read.", e);
        }
    }
}

/// <summary>
/// Degraded when the sealer has stopped: no sealing round (on any node) within Health:MaxSealerSilenceSeconds, or a
/// committed event still unsealed after Health:MaxUnsealedSeconds (e.g. a long-open transaction holds the ceiling).
/// Read in database time through the schema owner's status function; the same rule as the admin overview's tile.
/// </summary>
public sealed class SealerHealthCheck(IDocumentStore store, IConfiguration configuration, SealerBounds bounds) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            // The runtime role (the store's): the status function is the owner's SECURITY DEFINER, callable by it.
            await using var conn = await store.OpenConnectionAsync(ct);
            var status = await EventSeals.ReadStatusAsync(conn, PortalDatabase.SchemaOf(configuration), ct);
            return status.Problem(bounds) is { } problem
                ? HealthCheckResult.Degraded("Event sealing has stopped: " + problem + ".")
                : HealthCheckResult.Healthy("Event sealing keeps up: " + status.Description + ".");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The sealer's state could not be read.", e);
        }
    }

    public static SealerBounds BoundsFrom(IConfiguration configuration) => new(
        TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Health:MaxSealerSilenceSeconds", SealerBounds.Default.MaxSilence.TotalSeconds))),
        TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Health:MaxUnsealedSeconds", SealerBounds.Default.MaxUnsealedAge.TotalSeconds))));
}

public static class HealthResponse
{
    public const string Path = "/health";
    public const string DetailPath = "/health/detail";

    /// <summary>Anonymous answer: the overall status and nothing about projections, events or the database.</summary>
    public static Task WriteStatusAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString() }));
    }

    /// <summary>Per-check detail (projection names, lag, failing events) for signed-in admins at <see cref="DetailPath"/>.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, new JsonSerializerOptions { WriteIndented = true }));
    }
}
