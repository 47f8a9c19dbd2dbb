namespace AuditPortal.Web.Infrastructure;

public static class AuditRegistration
{
    /// <summary>Services of the Audit pages.</summary>
    public static IServiceCollection AddAuditPages(this IServiceCollection services) => services;
}
