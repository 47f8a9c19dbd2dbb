using AuditPortal.Core.Preferences;

namespace AuditPortal.Web.Infrastructure;

public static class PreferencesRegistration
{
    /// <summary>The signed-in user's own preferences (saved searches, time zone) and the zone the layout cascades.</summary>
    public static IServiceCollection AddPreferencesPages(this IServiceCollection services)
    {
        // Scoped: the reads follow the circuit's user (ICurrentActor); the zone is read once per circuit.
        services.AddScoped<IUserPreferencesReads, UserPreferencesReads>();
        services.AddScoped<ReaderZoneState>();
        services.AddSingleton<IUserPreferencesCommands>(sp => sp.GetRequiredService<UserPreferencesService>());
        return services;
    }
}

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
