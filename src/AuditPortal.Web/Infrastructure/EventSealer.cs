using System.Security.Cryptography;
using AuditPortal.Core.Integrity;
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

/// <summary>
/// The checkpoint keys and file. Integrity:CheckpointSigningKey (ECDSA P-256 private key, PEM text or the path of a
/// PEM file) only on the node that publishes checkpoints; Integrity:CheckpointPublicKey (PEM) wherever checkpoints are
/// verified (derived from the signing key when only that is given; both given must be a pair). Neither is ever in the
/// repository; in Development only, a pair is generated once under .data/ (checkpoint-signing.pem, checkpoint-public.pem).
/// Integrity:CheckpointFile defaults to .data/checkpoints.jsonl for the embedded development database and to none
/// (log only) elsewhere.
/// </summary>
public sealed record CheckpointSettings(ECDsa? SigningKey, ECDsa? PublicKey, string? File) : IDisposable
{
    public const string SigningKeySetting = "Integrity:CheckpointSigningKey";
    public const string PublicKeySetting = "Integrity:CheckpointPublicKey";

    public static CheckpointSettings Resolve(IConfiguration configuration, IHostEnvironment environment, bool createDevelopmentKey)
    {
        var dataFolder = DataFolder(environment);
        var file = configuration["Integrity:CheckpointFile"] is { Length: > 0 } f ? f
            // The default file belongs to the embedded development database; test hosts on databases of their own log only.
            : environment.IsDevelopment() && string.IsNullOrWhiteSpace(configuration.GetConnectionString("Marten")) ? Path.Combine(dataFolder, "checkpoints.jsonl") : null;
        var signingText = configuration[SigningKeySetting];
        var publicText = configuration[PublicKeySetting];
        if (string.IsNullOrWhiteSpace(signingText) && string.IsNullOrWhiteSpace(publicText) && environment.IsDevelopment())
        {
            var signingFile = Path.Combine(dataFolder, "checkpoint-signing.pem");
            var publicFile = Path.Combine(dataFolder, "checkpoint-public.pem");
            if (!System.IO.File.Exists(signingFile))
            {
                if (!createDevelopmentKey) return new(null, null, file);
                Directory.CreateDirectory(dataFolder);
                var (privatePem, publicPem) = CheckpointKeys.Create();
                System.IO.File.WriteAllText(signingFile, privatePem);
                if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(signingFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                System.IO.File.WriteAllText(publicFile, publicPem);
            }
            (signingText, publicText) = (signingFile, System.IO.File.Exists(publicFile) ? publicFile : null);
        }
        var signing = string.IsNullOrWhiteSpace(signingText) ? null : CheckpointKeys.Load(signingText, SigningKeySetting, privateKey: true);
        var verifying = string.IsNullOrWhiteSpace(publicText) ? null : CheckpointKeys.Load(publicText, PublicKeySetting, privateKey: false);
        if (signing is not null && verifying is not null && !CheckpointKeys.ArePair(signing, verifying))
            throw new FormatException($"{PublicKeySetting} is not the public half of {SigningKeySetting}.");
        return new(signing, verifying ?? (signing is null ? null : CheckpointKeys.PublicOf(signing)), file);
    }

    public void Dispose()
    {
        SigningKey?.Dispose();
        PublicKey?.Dispose();
    }

    internal static string DataFolder(IHostEnvironment environment) => Path.Combine(FindRepositoryRoot(environment.ContentRootPath), ".data");

    private static string FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "AuditPortal.sln"))) return dir.FullName;
        }
        return start;
    }
}
