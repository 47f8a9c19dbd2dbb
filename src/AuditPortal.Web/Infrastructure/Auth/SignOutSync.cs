namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>
/// Reads, every Auth:SignOutSyncSeconds, the sign-outs any node recorded within the longest session
/// (Auth:MaxSessionHours) into this node's <see cref="SignOutRecords"/>. A failed read is logged and tried again; a
/// row that is not a sign-out is skipped and logged once (escaped), never stopping the others.
/// </summary>
public sealed class SignOutSync(SignOutLog log, SignOutRecords records, IOptions<AuthOptions> options, TimeProvider time, ILogger<SignOutSync> logger)
    : BackgroundService
{
    /// <summary>The first read before the portal takes requests: a cookie signed out before a restart is refused at once.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SyncOnceAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not read the recorded sign-outs at startup; trying again in the background");
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(0.05, options.Value.SignOutSyncSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await Task.Delay(interval, time, stoppingToken); }
            catch (OperationCanceledException) { return; }
            try
            {
                await SyncOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not read the sign-outs of other portal nodes; trying again in {Seconds} s", interval.TotalSeconds);
            }
        }
    }

    // Sequence numbers already reported: a bad row stays in the window for hours and is logged once, not every round.
    private readonly HashSet<long> _reported = [];

    public async Task SyncOnceAsync(CancellationToken ct = default)
    {
        var since = time.GetUtcNow().AddHours(-options.Value.MaxSessionHours);
        var reading = await log.LatestSinceAsync(since, ct);
        foreach (var (user, at) in reading.Latest) records.Note(user, at.UtcTicks);
        lock (_reported) ReportSkipped(logger, reading.Skipped, _reported);
    }

    /// <summary>Logs each skipped row once, escaped: its text came from whoever wrote the row.</summary>
    public static void ReportSkipped(ILogger logger, IEnumerable<SkippedSignOut> skipped, ISet<long> reported)
    {
        foreach (var row in skipped)
        {
            if (!reported.Add(row.Sequence)) continue;
            logger.LogWarning("Skipped the sign-out record at sequence {Sequence}: {Reason}", row.Sequence, Logging.SafeLogValues.EscapeText(row.Reason));
        }
    }
}
