using Marten.Events.Projections;

namespace AuditPortal.Core.Jobs;

public static class JobsMartenRegistration
{
    /// <summary>JobOwnerView (the job list) as a member of the one-pass composite, with its indexes.</summary>
    public static void JoinJobOwnerView(StoreOptions opts, CompositeProjection readModels)
    {
        readModels.Add<JobOwnerViewProjection>();
        opts.Schema.For<JobOwnerView>().Index(x => x.Owner).Index(x => x.Status).Index(x => x.LastChangedAt)
            .Index(x => x.Title).Index(x => x.CreditsSpent);
    }

    /// <summary>JobParticipantView (one row per job and participant) as a member of the one-pass composite.</summary>
    public static void JoinJobParticipantView(StoreOptions opts, CompositeProjection readModels)
    {
        readModels.Add<JobParticipantViewProjection>();
        opts.Schema.For<JobParticipantView>().Index(x => x.JobId).Index(x => x.Participant);
    }
}
