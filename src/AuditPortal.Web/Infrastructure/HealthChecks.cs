using System.Text.Json;
using Marten;
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

/// <summary>Reports how far each async projection is behind the event store's high-water mark.</summary>
public sealed class ProjectionDaemonHealthCheck(IDocumentStore store, IConfiguration configuration) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var stats = await store.Advanced.FetchEventStoreStatistics(token: ct);
            var progress = await store.Advanced.AllProjectionProgress(token: ct);
            var highWater = progress.FirstOrDefault(p => p.ShardName.Contains("HighWaterMark", StringComparison.OrdinalIgnoreCase))?.Sequence ?? 0;
            var shards = progress.Where(p => !p.ShardName.Contains("HighWaterMark", StringComparison.OrdinalIgnoreCase)).ToList();
            var data = new Dictionary<string, object>
            {
                ["eventCount"] = stats.EventCount,
                ["highWaterMark"] = highWater,
            };
            foreach (var shard in shards) data[shard.ShardName] = shard.Sequence;
            var maxLag = shards.Count == 0 ? 0 : shards.Max(s => highWater - s.Sequence);
            var tolerated = configuration.GetValue("Health:MaxProjectionLagEvents", 10_000L);
            return maxLag > tolerated
                ? HealthCheckResult.Degraded($"Projections are {maxLag} events behind.", data: data)
                : HealthCheckResult.Healthy($"Projection daemon: {shards.Count} shards, at most {maxLag} events behind.", data);
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("Projection progress could not be read.", e);
        }
    }
}

public static class HealthResponse
{
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
