namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>
/// The failure count of <see cref="SignInAttempts"/> kept in this node's memory, for names nobody has: guesses at them
/// are slowed down like any other, but write nothing to the database or the access log (so an attacker cannot fill
/// either with names of their choosing). Counts idle for a lock period are dropped, and at most
/// <see cref="MaxNames"/> are kept (the oldest go first). Tests of the sign-in code use it for real names too.
/// </summary>
public sealed class MemorySignInAttempts(int maxFailed, TimeSpan lockFor) : ISignInAttempts
{
    public const int MaxNames = 10_000;

    private readonly Dictionary<string, (int Failed, long Started, DateTimeOffset? LockedUntil, DateTimeOffset Updated)> _rows = [];

    public int Count { get { lock (_rows) return _rows.Count; } }

    public Task<SignInSlot> ReserveAsync(string userName, DateTimeOffset now, CancellationToken ct = default, string? from = null)
    {
        var key = SignInAttempts.KeyOf(userName, from);
        SignInSlot Slot(bool granted, long number, DateTimeOffset? until) => new(key, granted, number, until) { UserName = SignInAttempts.KeyOf(userName), From = from };
        lock (_rows)
        {
            Prune(now);
            var row = _rows.GetValueOrDefault(key);
            if (row.LockedUntil <= now || (row.LockedUntil is null && row.Updated < now - lockFor)) row = (0, row.Started, null, now);
            if (row.LockedUntil is { } until) return Task.FromResult(Slot(false, 0, until));
            if (row.Failed >= maxFailed) return Task.FromResult(Slot(false, 0, null));
            _rows[key] = row = (row.Failed + 1, row.Started + 1, null, now);
            return Task.FromResult(Slot(true, row.Started, null));
        }
    }

    public Task<DateTimeOffset?> FailedAsync(SignInSlot slot, DateTimeOffset now, CancellationToken ct = default)
    {
        lock (_rows)
        {
            if (!_rows.TryGetValue(slot.Key, out var row) || row.Failed < maxFailed || row.LockedUntil is not null) return Task.FromResult<DateTimeOffset?>(null);
            _rows[slot.Key] = row with { LockedUntil = now + lockFor, Updated = now };
            return Task.FromResult<DateTimeOffset?>(now + lockFor);
        }
    }

    public Task<DateTimeOffset?> SucceededAsync(SignInSlot slot, DateTimeOffset now, CancellationToken ct = default)
    {
        lock (_rows)
        {
            if (!_rows.TryGetValue(slot.Key, out var row)) return Task.FromResult<DateTimeOffset?>(null);
            if (row.LockedUntil > now) return Task.FromResult(row.LockedUntil);
            _rows[slot.Key] = row with { Failed = row.Started == slot.Number ? 0 : Math.Max(0, row.Failed - 1), Updated = now };
            return Task.FromResult<DateTimeOffset?>(null);
        }
    }

    private void Prune(DateTimeOffset now)
    {
        if (_rows.Count < MaxNames) return;
        foreach (var key in _rows.Where(r => r.Value.Updated < now - lockFor && !(r.Value.LockedUntil > now)).Select(r => r.Key).ToList()) _rows.Remove(key);
        if (_rows.Count < MaxNames) return;
        foreach (var key in _rows.OrderBy(r => r.Value.Updated).Take(_rows.Count - MaxNames + 1).Select(r => r.Key).ToList()) _rows.Remove(key);
    }
}
