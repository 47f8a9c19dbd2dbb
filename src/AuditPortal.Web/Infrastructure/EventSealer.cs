using AuditPortal.Core.Integrity;
using Npgsql;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// Seals new events into the hash chain every Integrity:SealIntervalSeconds, up to Marten's high-water mark.
/// Failures (e.g. the database restarting) are logged and retried on the next round.
/// </summary>
public sealed class EventSealer(PortalDatabase database, IConfiguration configuration, ILogger<EventSealer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Integrity:SealEvents", true)) return;
        var schema = configuration["Database:Schema"] is { Length: > 0 } s ? s : "auditportal";
        var interval = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Integrity:SealIntervalSeconds", 5)));
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await using var conn = new NpgsqlConnection(database.ConnectionString);
                await conn.OpenAsync(stoppingToken);
                var mark = await EventSeals.ReadHighWaterMarkAsync(conn, schema, stoppingToken);
                var sealedCount = await EventSeals.SealAsync(conn, schema, mark, ct: stoppingToken);
                if (sealedCount > 0) logger.LogDebug("Sealed {Count} events up to {Mark}", sealedCount, mark);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Sealing events failed; retrying in {Interval}", interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
