namespace AuditPortal.Web.Infrastructure;

/// <summary>The permalink of one operation (every event of one correlation id): the explorer's rows and the event page link to it.</summary>
public static class AuditOperationLinks
{
    public static string Of(string correlationId) => "/audit/operations/" + Uri.EscapeDataString(correlationId);
}
