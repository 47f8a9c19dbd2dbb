using System.Security.Cryptography;
using AuditPortal.Core.Integrity;
using Npgsql;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// Seals new events into the hash chain every Integrity:SealIntervalSeconds, up to Marten's high-water mark, through
/// the database's sealing function (the runtime role cannot write seals itself), and publishes a signed checkpoint of
/// the chain head every Integrity:CheckpointIntervalSeconds to the log and the checkpoint file.
/// Failures (e.g. the database restarting) are logged and retried on the next round.
/// </summary>
public sealed class EventSealer(PortalDatabase database, IConfiguration configuration, IHostEnvironment environment, ILogger<EventSealer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Integrity:SealEvents", true)) return;
        var schema = PortalDatabase.SchemaOf(configuration);
        var interval = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Integrity:SealIntervalSeconds", 5)));
        var checkpointEvery = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Integrity:CheckpointIntervalSeconds", 60)));
        var checkpoints = CheckpointSettings.Resolve(configuration, environment, createDevelopmentKey: true);
        if (checkpoints.Key is null)
            logger.LogWarning("No Integrity:CheckpointKey: chain heads are not published, so a rewritten chain can only be caught with verify-events --expect-head");
        long lastPublished = -1;
        var nextCheckpoint = DateTimeOffset.MinValue;
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

                if (checkpoints.Key is { } key && DateTimeOffset.UtcNow >= nextCheckpoint
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

/// <summary>
/// Where checkpoints are signed from and written to. Integrity:CheckpointKey (base64 or hex, at least 32 bytes) comes
/// from configuration, never the repository; in Development only, a key is generated once under .data/.
/// Integrity:CheckpointFile defaults to .data/checkpoints.jsonl for the embedded development database and to none
/// (log only) elsewhere.
/// </summary>
public sealed record CheckpointSettings(byte[]? Key, string? File)
{
    public static CheckpointSettings Resolve(IConfiguration configuration, IHostEnvironment environment, bool createDevelopmentKey)
    {
        var dataFolder = Path.Combine(FindRepositoryRoot(environment.ContentRootPath), ".data");
        var file = configuration["Integrity:CheckpointFile"] is { Length: > 0 } f ? f
            // The default file belongs to the embedded development database; test hosts on databases of their own log only.
            : environment.IsDevelopment() && string.IsNullOrWhiteSpace(configuration.GetConnectionString("Marten")) ? Path.Combine(dataFolder, "checkpoints.jsonl") : null;
        if (configuration["Integrity:CheckpointKey"] is { Length: > 0 } configured) return new(Checkpoint.ParseKey(configured), file);
        if (!environment.IsDevelopment()) return new(null, file);

        var keyFile = Path.Combine(dataFolder, "checkpoint.key");
        if (!System.IO.File.Exists(keyFile))
        {
            if (!createDevelopmentKey) return new(null, file);
            Directory.CreateDirectory(dataFolder);
            System.IO.File.WriteAllText(keyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return new(Checkpoint.ParseKey(System.IO.File.ReadAllText(keyFile)), file);
    }

    private static string FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "AuditPortal.sln"))) return dir.FullName;
        }
        return start;
    }
}
