using Marten.Events.Projections;

namespace AuditPortal.Core.Jobs;

public static class JobsMartenRegistration
{
    /// <summary>The job read models, as members of the one-pass composite <paramref name="readModels"/>.</summary>
    public static StoreOptions AddJobs(this StoreOptions opts, CompositeProjection readModels)
    {
        readModels.Add<JobOwnerViewProjection>();
        readModels.Add<JobParticipantViewProjection>();

        opts.Schema.For<JobOwnerView>().Index(x => x.Owner).Index(x => x.Status).Index(x => x.LastChangedAt)
            .Index(x => x.Title).Index(x => x.CreditsSpent);
        opts.Schema.For<JobParticipantView>().Index(x => x.JobId).Index(x => x.Participant);
        return opts;
    }
}
