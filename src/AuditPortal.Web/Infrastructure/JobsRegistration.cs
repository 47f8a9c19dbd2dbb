using AuditPortal.Core.Jobs;

namespace AuditPortal.Web.Infrastructure;

public static class JobsRegistration
{
    /// <summary>Services of the Jobs pages.</summary>
    public static IServiceCollection AddJobsPages(this IServiceCollection services)
    {
        services.AddLiveUpdates();
        // Scoped: each read checks the circuit's user (ICurrentActor) at the moment it runs.
        services.AddScoped<IJobReads, JobQueries>();
        return services;
    }
}
