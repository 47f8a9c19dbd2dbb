namespace AuditPortal.Web.Infrastructure;

public static class ProjectionsRegistration
{
    /// <summary>Services of the Projections pages.</summary>
    public static IServiceCollection AddProjectionsPages(this IServiceCollection services) => services;
}
