namespace AuditPortal.Web.Components.Shared;

/// <summary>
/// The zone a reader chose to read times in, cascaded by the layout to every page (null or UTC: times show as UTC,
/// exactly as before any choice).
/// </summary>
public sealed record ReaderZone(TimeZoneInfo Zone)
{
    public static ReaderZone Utc { get; } = new(TimeZoneInfo.Utc);

    /// <summary>The IANA id, or "UTC".</summary>
    public string Name => IsUtc(this) ? "UTC" : Zone.Id;

    public static bool IsUtc(ReaderZone? zone) => zone is null || zone.Zone.Id == TimeZoneInfo.Utc.Id;

    public static ReaderZone For(string? timeZoneId) => new(Core.Preferences.TimeZones.Find(timeZoneId));
}
