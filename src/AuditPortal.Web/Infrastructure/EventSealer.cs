using Npgsql;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// Runs a sealing round every Integrity:SealIntervalSeconds through the database's sealing function (which chooses
/// its own ceiling; the runtime role cannot write seals itself), and, on the node holding
/// Integrity:CheckpointSigningKey, publishes a signed checkpoint of the chain head every
/// Integrity:CheckpointIntervalSeconds to the log and the checkpoint file.
/// Failures (e.g. the database restarting) are logged and retried on the next round; /health reports a sealer that
/// has stopped (<see cref="SealerHealthCheck"/>).
/// </summary>
public sealed class EventSealer(PortalDatabase database, IConfiguration configuration, IHostEnvironment environment, ILogger<EventSealer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Integrity:SealEvents", true)) return;
        var schema = PortalDatabase.SchemaOf(configuration);
        var interval = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Integrity:SealIntervalSeconds", 5)));
        var checkpointEvery = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Integrity:CheckpointIntervalSeconds", 60)));
        using var checkpoints = CheckpointSettings.Resolve(configuration, environment, createDevelopmentKey: true);
        if (checkpoints.SigningKey is null)
            logger.LogInformation("No Integrity:CheckpointSigningKey on this node: it seals but does not publish checkpoints (the node holding the key does)");
        long lastPublished = -1;
        var nextCheckpoint = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await using var conn = new NpgsqlConnection(database.ConnectionString);
                await conn.OpenAsync(stoppingToken);
                var round = await EventSeals.SealAsync(conn, schema, ct: stoppingToken);
                if (round.Sealed > 0) logger.LogDebug("Sealed {Count} events up to {Ceiling}", round.Sealed, round.Ceiling);

                if (checkpoints.SigningKey is { } key && DateTimeOffset.UtcNow >= nextCheckpoint
                    && await EventSeals.ReadHeadAsync(conn, schema, stoppingToken) is { } head && head.Sequence != lastPublished)
                {
                    var checkpoint = Checkpoint.Create(head.Sequence, head.Head, DateTimeOffset.UtcNow, key);
                    Publish(checkpoint, checkpoints.File);
                    lastPublished = head.Sequence;
                    nextCheckpoint = DateTimeOffset.UtcNow + checkpointEvery;
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or IOException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Sealing events failed; retrying in {Interval}", interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private void Publish(Checkpoint checkpoint, string? file)
    {
        var line = checkpoint.ToLine();
        // The log is one place outside the database; the file another (ship either to storage the database host cannot rewrite).
        logger.LogInformation("Integrity checkpoint {Checkpoint}", line);
        if (file is null) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        File.AppendAllText(file, line + Environment.NewLine);
    }
}
