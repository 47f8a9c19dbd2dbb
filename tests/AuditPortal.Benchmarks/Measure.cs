namespace AuditPortal.Benchmarks;

/// <summary>Samples the process's resident set while a phase runs, to report its peak.</summary>
public sealed class PeakMemory : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;

    public PeakMemory()
    {
        // What the phases before left (the import, the feed) is collected, the large-object heap compacted, so the
        // peak is the measured phase's; the resident set at the start is reported beside it.
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        using (var self = Process.GetCurrentProcess()) StartMiB = self.WorkingSet64 / 1024.0 / 1024.0;
        _loop = Task.Run(async () =>
        {
            using var process = Process.GetCurrentProcess();
            while (!_stop.IsCancellationRequested)
            {
                process.Refresh();
                _peak = Math.Max(_peak, process.WorkingSet64);
                try { await Task.Delay(50, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public double PeakMiB => _peak / 1024.0 / 1024.0;

    /// <summary>The resident set when the phase began, after the collection.</summary>
    public double StartMiB { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }
}

public static class Percentiles
{
    public static (double P50, double P95) Of(List<double> ms)
    {
        if (ms.Count == 0) return (double.NaN, double.NaN);
        ms.Sort();
        return (ms[(int)(ms.Count * 0.50)], ms[Math.Min(ms.Count - 1, (int)(ms.Count * 0.95))]);
    }
}
