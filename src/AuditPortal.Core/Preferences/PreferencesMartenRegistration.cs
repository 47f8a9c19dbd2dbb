namespace AuditPortal.Core.Preferences;

public static class PreferencesMartenRegistration
{
    /// <summary>
    /// A user's own stream is aggregated live (one short stream per user, read once per circuit): no projection. The event
    /// types are registered up front so the explorer, exports and the type list know them before any was appended.
    /// </summary>
    public static StoreOptions AddPreferences(this StoreOptions opts)
    {
        opts.Events.AddEventTypes([typeof(SearchSaved), typeof(SavedSearchDeleted), typeof(TimeZoneChosen)]);
        return opts;
    }
}
