using AuditPortal.Core.Jobs;

namespace AuditPortal.Web.Infrastructure;

public static class JobsRegistration
{
    /// <summary>Services of the Jobs pages.</summary>
    public static IServiceCollection AddJobsPages(this IServiceCollection services) =>
        services.AddLiveUpdates().AddPortalReads<IJobReads, JobQueries>();
}
