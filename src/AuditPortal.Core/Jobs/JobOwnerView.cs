using Marten.Events.Aggregation;

namespace AuditPortal.Core.Jobs;

public sealed class JobApplicant
{
    public string Name { get; set; } = "";
    public ApplicationStatus Status { get; set; }
    public string CoverNote { get; set; } = "";
    public DateTimeOffset Since { get; set; }
}

/// <summary>Everything the job's owner may see.</summary>
public sealed class JobOwnerView
{
    public Guid Id { get; set; }
    public string Owner { get; set; } = "";
    public Guid OwnerWalletId { get; set; }
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public int Budget { get; set; }
    public int CreditsSpent { get; set; }
    public int CreditsRefunded { get; set; }
    public JobStatus Status { get; set; }
    public List<JobApplicant> Applicants { get; set; } = [];
    public DateTimeOffset PostedAt { get; set; }
    public DateTimeOffset LastChangedAt { get; set; }
    public string? CancellationReason { get; set; }
    public long Version { get; set; }
}

public sealed partial class JobOwnerViewProjection : SingleStreamProjection<JobOwnerView, Guid>
{
    public static JobOwnerView Create(JobPosted e) => new()
    {
        Id = e.JobId, Owner = e.Owner, OwnerWalletId = e.OwnerWalletId, Title = e.Title, Description = e.Description,
        Budget = e.Budget, Status = JobStatus.Open, PostedAt = e.PostedAt, LastChangedAt = e.PostedAt,
    };

    public static void Apply(ParticipantInvited e, JobOwnerView view) => Upsert(view, e.Participant, ApplicationStatus.Invited, e.InvitedAt, null);

    public static void Apply(JobApplicationSubmitted e, JobOwnerView view) => Upsert(view, e.Participant, ApplicationStatus.Applied, e.AppliedAt, e.CoverNote);

    public static void Apply(ParticipantAccepted e, JobOwnerView view) => Upsert(view, e.Participant, ApplicationStatus.Accepted, e.AcceptedAt, null);

    public static void Apply(JobLaunched e, JobOwnerView view)
    {
        view.CreditsSpent += e.CreditsSpent;
        Move(view, JobStatus.Launched, e.LaunchedAt);
    }

    public static void Apply(JobCompleted e, JobOwnerView view) => Move(view, JobStatus.Completed, e.CompletedAt);

    public static void Apply(JobCancelled e, JobOwnerView view)
    {
        view.CreditsRefunded += e.CreditsRefunded;
        view.CancellationReason = e.Reason;
        Move(view, JobStatus.Cancelled, e.CancelledAt);
    }

    private static void Move(JobOwnerView view, JobStatus status, DateTimeOffset at)
    {
        view.Status = status;
        view.LastChangedAt = at;
    }

    private static void Upsert(JobOwnerView view, string name, ApplicationStatus status, DateTimeOffset at, string? coverNote)
    {
        var applicant = view.Applicants.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));
        if (applicant is null)
        {
            applicant = new JobApplicant { Name = name };
            view.Applicants.Add(applicant);
        }
        applicant.Status = status;
        applicant.Since = at;
        if (coverNote is not null) applicant.CoverNote = coverNote;
        view.LastChangedAt = at;
    }
}
