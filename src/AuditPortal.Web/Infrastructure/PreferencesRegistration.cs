using AuditPortal.Core.Preferences;

namespace AuditPortal.Web.Infrastructure;

public static class PreferencesRegistration
{
    /// <summary>The signed-in user's own preferences (saved searches, time zone) and the zone the layout cascades.</summary>
    public static IServiceCollection AddPreferencesPages(this IServiceCollection services)
    {
        services.AddPortalReads<IUserPreferencesReads, UserPreferencesReads>();
        // Scoped: the zone is read once per circuit.
        services.AddScoped<ReaderZoneState>();
        services.AddSingleton<IUserPreferencesCommands>(sp => sp.GetRequiredService<UserPreferencesService>());
        return services;
    }
}
