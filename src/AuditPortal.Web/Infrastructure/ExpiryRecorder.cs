namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// Records, as the portal itself, what has ended with nobody acting (a time-bound grant, an open request), every
/// <c>intervalSetting</c> seconds (default 60). It waits on the <see cref="TimeProvider"/>, so a test's clock drives it.
/// Every node may run it: what it records is decided under a lock, and a second node finds it recorded already.
/// </summary>
public abstract class ExpiryRecorder(TimeProvider time, IConfiguration configuration, ILogger logger, string intervalSetting, string what) : BackgroundService
{
    /// <summary>Records every ending that is due; returns how many it recorded.</summary>
    protected abstract Task<int> RecordDueAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue(intervalSetting, 60)));
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                var recorded = await RecordDueAsync(stoppingToken);
                if (recorded > 0) logger.LogInformation("Recorded {Count}: {What}", recorded, what);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Could not record {What}; retrying in {Interval}", what, interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
