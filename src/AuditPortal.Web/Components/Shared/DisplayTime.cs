namespace AuditPortal.Web.Components.Shared;

/// <summary>
/// How the pages show a moment: invariant digits and separators, so that every page (and every test reading one)
/// agrees on one format. In UTC unless the reader chose a zone (<see cref="ReaderZone"/>): then in that zone, with the
/// UTC moment beside it or on hover. Exports never come here: they keep UTC in ISO 8601 with its offset.
/// </summary>
public static class DisplayTime
{
    public const string Format = "yyyy-MM-dd HH:mm:ss";
    /// <summary>For summaries and charts, where seconds are noise.</summary>
    public const string MinuteFormat = "yyyy-MM-dd HH:mm";
    /// <summary>For chart axes and captions that count days.</summary>
    public const string DayFormat = "yyyy-MM-dd";
    /// <summary>For one event's own detail, where the order of events within a second matters.</summary>
    public const string PreciseFormat = "yyyy-MM-dd HH:mm:ss.fff";

    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
    public static string UtcMinute(DateTimeOffset at) => at.UtcDateTime.ToString(MinuteFormat, CultureInfo.InvariantCulture);
    public static string UtcDay(DateTimeOffset at) => at.UtcDateTime.ToString(DayFormat, CultureInfo.InvariantCulture);
    public static string UtcPrecise(DateTimeOffset at) => at.UtcDateTime.ToString(PreciseFormat, CultureInfo.InvariantCulture);
    /// <summary>The moment with its zone spelled out, for text that stands alone.</summary>
    public static string UtcLabelled(DateTimeOffset at) => Utc(at) + " UTC";

    /// <summary>The moment in the reader's zone (UTC without one), in <paramref name="format"/>; no zone name.</summary>
    public static string In(DateTimeOffset at, ReaderZone? zone, string format = Format) =>
        ReaderZone.IsUtc(zone)
            ? at.UtcDateTime.ToString(format, CultureInfo.InvariantCulture)
            : TimeZoneInfo.ConvertTime(at, zone!.Zone).ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The UTC moment for a hover text beside a local one: "2026-12-07 13:00:00 UTC".</summary>
    public static string UtcTitle(DateTimeOffset at, string format = Format) => at.UtcDateTime.ToString(format, CultureInfo.InvariantCulture) + " UTC";

    /// <summary>
    /// For text that stands alone (captions, sentences): without a zone exactly <see cref="UtcLabelled"/>; with one the
    /// local moment and its zone, then UTC beside it: "2026-12-07 14:00:00 Europe/Paris (13:00:00 UTC)".
    /// </summary>
    public static string Labelled(DateTimeOffset at, ReaderZone? zone, string format = Format)
    {
        if (ReaderZone.IsUtc(zone)) return at.UtcDateTime.ToString(format, CultureInfo.InvariantCulture) + " UTC";
        var local = TimeZoneInfo.ConvertTime(at, zone!.Zone);
        // The UTC time alone when the day is the same; the whole moment when the zone moved it to another day.
        var utcFormat = local.Date == at.UtcDateTime.Date && format.StartsWith(DayFormat, StringComparison.Ordinal) && format.Length > DayFormat.Length
            ? format[(DayFormat.Length + 1)..] : format;
        return $"{local.ToString(format, CultureInfo.InvariantCulture)} {zone.Name} ({at.UtcDateTime.ToString(utcFormat, CultureInfo.InvariantCulture)} UTC)";
    }
}
