namespace AuditPortal.Web.Components.Pages.Jobs;

internal static class JobFormat
{
    public static string At(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss") + " UTC";
}
