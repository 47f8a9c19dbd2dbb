using AuditPortal.Core.Preferences;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// The zone the circuit's user reads times in, read once from their preferences stream and changed in place when they
/// choose another, so the layout re-renders every page in it without a reload.
/// </summary>
public sealed class ReaderZoneState(IUserPreferencesReads reads, ILogger<ReaderZoneState> logger)
{
    private ReaderZone? _zone;

    public event Action? Changed;

    public async Task<ReaderZone> GetAsync()
    {
        if (_zone is not null) return _zone;
        try
        {
            _zone = ReaderZone.For((await reads.MineAsync()).TimeZoneId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Times are still right in UTC, and every page says so: a database hiccup must not take the page down.
            logger.LogWarning(e, "Could not read the user's time zone; showing UTC");
            return ReaderZone.Utc;
        }
        return _zone;
    }

    public void Set(string? timeZoneId)
    {
        _zone = ReaderZone.For(timeZoneId);
        Changed?.Invoke();
    }
}
