namespace AuditPortal.Benchmarks;

/// <summary>Samples the process's resident set while a phase runs, to report its peak.</summary>
public sealed class PeakMemory : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;

    public PeakMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
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
