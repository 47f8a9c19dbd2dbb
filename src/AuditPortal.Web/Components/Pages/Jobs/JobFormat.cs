namespace AuditPortal.Web.Components.Pages.Jobs;

internal static class JobFormat
{
    public static string At(DateTimeOffset at) => DisplayTime.UtcLabelled(at);
}
