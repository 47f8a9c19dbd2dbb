using Marten.Events.Projections;

namespace AuditPortal.Core.Jobs;

/// <summary>
/// What one participant may see of a job: its title, status and their own application. No budget, no credits,
/// no other participants, no owner wallet. One document per (job, participant).
/// </summary>
public sealed class JobParticipantView
{
    public string Id { get; set; } = "";
    public Guid JobId { get; set; }
    public string Participant { get; set; } = "";
    public string Title { get; set; } = "";
    public JobStatus Status { get; set; }
    public ApplicationStatus ApplicationStatus { get; set; }
    public string CoverNote { get; set; } = "";
    public DateTimeOffset LastChangedAt { get; set; }

    public static string Key(Guid jobId, string participant) => $"{jobId}:{participant.ToLowerInvariant()}";
}

public sealed partial class JobParticipantViewProjection : MultiStreamProjection<JobParticipantView, string>
{
    public JobParticipantViewProjection()
    {
        Identity<ParticipantInvited>(e => JobParticipantView.Key(e.JobId, e.Participant));
        Identity<JobApplicationSubmitted>(e => JobParticipantView.Key(e.JobId, e.Participant));
        Identity<ParticipantAccepted>(e => JobParticipantView.Key(e.JobId, e.Participant));
        Identities<JobLaunched>(e => e.Participants.Select(p => JobParticipantView.Key(e.JobId, p)).ToList());
        Identities<JobCompleted>(e => e.Participants.Select(p => JobParticipantView.Key(e.JobId, p)).ToList());
        Identities<JobCancelled>(e => e.Participants.Select(p => JobParticipantView.Key(e.JobId, p)).ToList());
    }

    public static JobParticipantView Create(ParticipantInvited e) => New(e.JobId, e.Participant, e.Title, ApplicationStatus.Invited, e.InvitedAt);

    // Marten applies no Apply to the event a document was created from: Create must carry the cover note too.
    public static JobParticipantView Create(JobApplicationSubmitted e)
    {
        var view = New(e.JobId, e.Participant, e.Title, ApplicationStatus.Applied, e.AppliedAt);
        view.CoverNote = e.CoverNote;
        return view;
    }

    public static void Apply(ParticipantInvited e, JobParticipantView view)
    {
        view.ApplicationStatus = ApplicationStatus.Invited;
        view.LastChangedAt = e.InvitedAt;
    }

    public static void Apply(JobApplicationSubmitted e, JobParticipantView view)
    {
        view.ApplicationStatus = ApplicationStatus.Applied;
        view.CoverNote = e.CoverNote;
        view.LastChangedAt = e.AppliedAt;
    }

    public static void Apply(ParticipantAccepted e, JobParticipantView view)
    {
        view.ApplicationStatus = ApplicationStatus.Accepted;
        view.LastChangedAt = e.AcceptedAt;
    }

    public static void Apply(JobLaunched e, JobParticipantView view)
    {
        view.Status = JobStatus.Launched;
        view.LastChangedAt = e.LaunchedAt;
    }

    public static void Apply(JobCompleted e, JobParticipantView view)
    {
        view.Status = JobStatus.Completed;
        view.LastChangedAt = e.CompletedAt;
    }

    public static void Apply(JobCancelled e, JobParticipantView view)
    {
        view.Status = JobStatus.Cancelled;
        view.LastChangedAt = e.CancelledAt;
    }

    private static JobParticipantView New(Guid jobId, string participant, string title, ApplicationStatus status, DateTimeOffset at) => new()
    {
        Id = JobParticipantView.Key(jobId, participant), JobId = jobId, Participant = participant, Title = title,
        Status = JobStatus.Open, ApplicationStatus = status, LastChangedAt = at,
    };
}
