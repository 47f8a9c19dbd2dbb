using System.Diagnostics;

namespace AuditPortal.Tests.Shared;

/// <summary>
/// The one poll-until loop with a deadline, for conditions outside the portal that give no signal to await
/// (advisory locks, a child process, a log line). Past the deadline it throws, naming what it saw last.
/// </summary>
public static class Poll
{
    /// <summary>Probes every <paramref name="interval"/> until <paramref name="done"/> holds; returns the last value and the time it took.</summary>
    public static async Task<(T Value, TimeSpan After)> UntilAsync<T>(
        Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, TimeSpan interval, Func<T, string>? describe = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value)) return (value, clock.Elapsed);
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"Not met within {timeout.TotalSeconds:N0} s{(describe is null ? "" : ": " + describe(value))}.");
            await Task.Delay(interval);
        }
    }

    /// <summary>Checks <paramref name="condition"/> every 50 ms until it holds; returns the time it took.</summary>
    public static async Task<TimeSpan> UntilAsync(Func<bool> condition, TimeSpan timeout) =>
        (await UntilAsync(() => Task.FromResult(condition()), met => met, timeout, TimeSpan.FromMilliseconds(50))).After;
}
