namespace AuditPortal.Web.Infrastructure;

public static class AccessControlRegistration
{
    /// <summary>Services of the AccessControl pages.</summary>
    public static IServiceCollection AddAccessControlPages(this IServiceCollection services) => services;
}
