namespace AuditPortal.Core.Jobs;

public enum JobStatus
{
    Open,
    Launched,
    Completed,
    Cancelled,
}

public enum ApplicationStatus
{
    Invited,
    Applied,
    Accepted,
}

public sealed record JobPosted(
    Guid JobId, string Owner, Guid OwnerWalletId, string Title, string Description, int Budget, string PostedBy, DateTimeOffset PostedAt);

/// <summary>Carries the job title so each participant's read model is built from the participant's own events.</summary>
public sealed record ParticipantInvited(Guid JobId, string Participant, string Title, string InvitedBy, DateTimeOffset InvitedAt);

public sealed record JobApplicationSubmitted(Guid JobId, string Participant, string Title, string CoverNote, string AppliedBy, DateTimeOffset AppliedAt);

public sealed record ParticipantAccepted(Guid JobId, string Participant, string AcceptedBy, DateTimeOffset AcceptedAt);

/// <summary>Names the participants so that every participant's view learns of the status change.</summary>
public sealed record JobLaunched(Guid JobId, Guid OwnerWalletId, int CreditsSpent, string[] Participants, string LaunchedBy, DateTimeOffset LaunchedAt);

public sealed record JobCompleted(Guid JobId, string[] Participants, string CompletedBy, DateTimeOffset CompletedAt);

public sealed record JobCancelled(Guid JobId, int CreditsRefunded, string[] Participants, string CancelledBy, DateTimeOffset CancelledAt, string Reason);

public sealed record JobParticipant(string Name, ApplicationStatus Status);

public sealed record Job(
    Guid Id, string Owner, Guid OwnerWalletId, string Title, int Budget, JobStatus Status, int CreditsSpent,
    IReadOnlyList<JobParticipant> Participants)
{
    public static Job Create(JobPosted e) => new(e.JobId, e.Owner, e.OwnerWalletId, e.Title, e.Budget, JobStatus.Open, 0, []);

    public Job Apply(ParticipantInvited e) => WithParticipant(e.Participant, ApplicationStatus.Invited);

    public Job Apply(JobApplicationSubmitted e) => WithParticipant(e.Participant, ApplicationStatus.Applied);

    public Job Apply(ParticipantAccepted e) => WithParticipant(e.Participant, ApplicationStatus.Accepted);

    public Job Apply(JobLaunched e) => this with { Status = JobStatus.Launched, CreditsSpent = CreditsSpent + e.CreditsSpent };

    public Job Apply(JobCompleted e) => this with { Status = JobStatus.Completed };

    public Job Apply(JobCancelled e) => this with { Status = JobStatus.Cancelled, CreditsSpent = CreditsSpent - e.CreditsRefunded };

    public JobParticipant? Participant(string name) => Participants.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    public string[] ParticipantNames => Participants.Select(p => p.Name).ToArray();

    private Job WithParticipant(string name, ApplicationStatus status) =>
        this with { Participants = [.. Participants.Where(p => !string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)), new JobParticipant(name, status)] };
}

/// <summary>Folds a job's events outside Marten (pure tests, the demo generator): its own Create and Apply methods, through <see cref="EventFold{T}"/>.</summary>
public static class JobHistory
{
    private static readonly EventFold<Job> Fold = new("a job");

    public static Job? Apply(Job? state, object e) => Fold.Apply(state, e);

    public static Job? Replay(IEnumerable<object> events) => Fold.Replay(events);
}
