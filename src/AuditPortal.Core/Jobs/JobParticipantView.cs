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
        Identity<ParticipantInvited>(e => Keys(e)[0]);
        Identity<JobApplicationSubmitted>(e => Keys(e)[0]);
        Identity<ParticipantAccepted>(e => Keys(e)[0]);
        Identities<JobLaunched>(e => [.. Keys(e)]);
        Identities<JobCompleted>(e => [.. Keys(e)]);
        Identities<JobCancelled>(e => [.. Keys(e)]);
    }

    /// <summary>The views an event concerns: spelled once for the daemon (above) and the bulk rebuild.</summary>
    public static IReadOnlyList<string> Keys(object e) => e switch
    {
        ParticipantInvited x => [JobParticipantView.Key(x.JobId, x.Participant)],
        JobApplicationSubmitted x => [JobParticipantView.Key(x.JobId, x.Participant)],
        ParticipantAccepted x => [JobParticipantView.Key(x.JobId, x.Participant)],
        JobLaunched x => [.. x.Participants.Select(p => JobParticipantView.Key(x.JobId, p))],
        JobCompleted x => [.. x.Participants.Select(p => JobParticipantView.Key(x.JobId, p))],
        JobCancelled x => [.. x.Participants.Select(p => JobParticipantView.Key(x.JobId, p))],
        _ => [],
    };

    public static JobParticipantView Create(ParticipantInvited e) => New(e.JobId, e.Participant, e.Title, ApplicationStatus.Invited, e.InvitedAt);

    // Marten applies no Apply to the event a document was created from: Create must carry the cover note too.
    public static JobParticipantView Create(JobApplicationSubmitted e)
    {
        var view = New(e.JobId, e.Participant, e.Title, ApplicationStatus.Applied, e.AppliedAt);
        view.CoverNote = e.CoverNote;
        return view;
    }

    public static void Apply(ParticipantInvited e, JobParticipantView view) => Application(view, ApplicationStatus.Invited, e.InvitedAt);

    public static void Apply(JobApplicationSubmitted e, JobParticipantView view) => Application(view, ApplicationStatus.Applied, e.AppliedAt, e.CoverNote);

    public static void Apply(ParticipantAccepted e, JobParticipantView view) => Application(view, ApplicationStatus.Accepted, e.AcceptedAt);

    public static void Apply(JobLaunched e, JobParticipantView view) => Job(view, JobStatus.Launched, e.LaunchedAt);

    public static void Apply(JobCompleted e, JobParticipantView view) => Job(view, JobStatus.Completed, e.CompletedAt);

    public static void Apply(JobCancelled e, JobParticipantView view) => Job(view, JobStatus.Cancelled, e.CancelledAt);

    private static void Application(JobParticipantView view, ApplicationStatus status, DateTimeOffset at, string? coverNote = null)
    {
        view.ApplicationStatus = status;
        if (coverNote is not null) view.CoverNote = coverNote;
        view.LastChangedAt = at;
    }

    private static void Job(JobParticipantView view, JobStatus status, DateTimeOffset at)
    {
        view.Status = status;
        view.LastChangedAt = at;
    }

    private static JobParticipantView New(Guid jobId, string participant, string title, ApplicationStatus status, DateTimeOffset at) => new()
    {
        Id = JobParticipantView.Key(jobId, participant), JobId = jobId, Participant = participant, Title = title,
        Status = JobStatus.Open, ApplicationStatus = status, LastChangedAt = at,
    };
}
