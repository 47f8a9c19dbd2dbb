using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace AuditPortal.Web.Tests.Auth;

/// <summary>The host environment the sign-in code asks whether demo accounts may exist.</summary>
internal sealed class TestHostEnvironment(string name = "Production") : IHostEnvironment
{
    public string EnvironmentName { get; set; } = name;
    public string ApplicationName { get; set; } = "AuditPortal.Web";
    public string ContentRootPath { get; set; } = "/";
    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
}

/// <summary>A clock the test moves by hand (lockouts, session ends).</summary>
internal sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// The failure count of <see cref="Core.AccessControl.SignInAttempts"/> in memory, for tests of the sign-in code around it:
/// a slot counts as a failure from its reservation; the limit's failure locks; a success clears the count unless a
/// later attempt started. The database version and its sharing between nodes are tested in the integration tests.
/// </summary>
internal sealed class InMemorySignInAttempts(int maxFailed, TimeSpan lockFor) : Core.AccessControl.ISignInAttempts
{
    private readonly Dictionary<string, (int Failed, long Started, DateTimeOffset? LockedUntil)> _rows = [];

    public Task<Core.AccessControl.SignInSlot> ReserveAsync(string userName, DateTimeOffset now, CancellationToken ct = default)
    {
        var key = Core.AccessControl.SignInAttempts.KeyOf(userName);
        lock (_rows)
        {
            var row = _rows.GetValueOrDefault(key);
            if (row.LockedUntil <= now) row = (0, row.Started, null);
            if (row.LockedUntil is { } until) return Task.FromResult(new Core.AccessControl.SignInSlot(key, false, 0, until));
            if (row.Failed >= maxFailed) return Task.FromResult(new Core.AccessControl.SignInSlot(key, false, 0, null));
            _rows[key] = row = (row.Failed + 1, row.Started + 1, null);
            return Task.FromResult(new Core.AccessControl.SignInSlot(key, true, row.Started, null));
        }
    }

    public Task<DateTimeOffset?> FailedAsync(Core.AccessControl.SignInSlot slot, DateTimeOffset now, CancellationToken ct = default)
    {
        lock (_rows)
        {
            var row = _rows[slot.Key];
            if (row.Failed < maxFailed || row.LockedUntil is not null) return Task.FromResult<DateTimeOffset?>(null);
            _rows[slot.Key] = row with { LockedUntil = now + lockFor };
            return Task.FromResult<DateTimeOffset?>(now + lockFor);
        }
    }

    public Task<DateTimeOffset?> SucceededAsync(Core.AccessControl.SignInSlot slot, DateTimeOffset now, CancellationToken ct = default)
    {
        lock (_rows)
        {
            var row = _rows[slot.Key];
            if (row.LockedUntil > now) return Task.FromResult(row.LockedUntil);
            _rows[slot.Key] = row with { Failed = row.Started == slot.Number ? 0 : Math.Max(0, row.Failed - 1) };
            return Task.FromResult<DateTimeOffset?>(null);
        }
    }
}
