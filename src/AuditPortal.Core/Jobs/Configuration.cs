using JasperFx.Events.Projections;
using Marten;

namespace AuditPortal.Core.Jobs;

public static class Configuration
{
    public static StoreOptions AddJobs(this StoreOptions opts, Action<AsyncOptions>? tune = null)
    {
        opts.Projections.Add<JobOwnerViewProjection>(ProjectionLifecycle.Async, ao => tune?.Invoke(ao));
        opts.Projections.Add<JobParticipantViewProjection>(ProjectionLifecycle.Async, ao => tune?.Invoke(ao));

        opts.Schema.For<JobOwnerView>().Index(x => x.Owner).Index(x => x.Status).Index(x => x.LastChangedAt)
            .Index(x => x.Title).Index(x => x.CreditsSpent);
        opts.Schema.For<JobParticipantView>().Index(x => x.JobId).Index(x => x.Participant);
        return opts;
    }
}
