using System.Globalization;

namespace AuditPortal.Web.Components.Shared;

/// <summary>
/// How the pages show a moment: always UTC, invariant digits and separators, so that every page (and every test
/// reading one) agrees on one format.
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
}
