namespace AuditPortal.Core.Jobs;

public sealed record PostJob(Guid JobId, string Owner, Guid OwnerWalletId, string Title, string Description, int Budget, Guid CommandId, string Actor, DateTimeOffset At);

public sealed record InviteParticipant(Guid JobId, string Participant, Guid CommandId, string Actor, DateTimeOffset At, long? ExpectedVersion = null);

public sealed record ApplyToJob(Guid JobId, string Participant, string CoverNote, Guid CommandId, string Actor, DateTimeOffset At, long? ExpectedVersion = null);

public sealed record AcceptParticipant(Guid JobId, string Participant, Guid CommandId, string Actor, DateTimeOffset At, long? ExpectedVersion = null);

public sealed record LaunchJob(Guid JobId, Guid CommandId, string Actor, DateTimeOffset At, long? ExpectedVersion = null);

public sealed record CompleteJob(Guid JobId, Guid CommandId, string Actor, DateTimeOffset At, long? ExpectedVersion = null);

public sealed record CancelJob(Guid JobId, string Reason, Guid CommandId, string Actor, DateTimeOffset At, long? ExpectedVersion = null);

public static class JobDecisions
{
    public static JobPosted Handle(Job? state, PostJob command, WalletLimits limits)
    {
        Guard.NewStream(state, _ => new RuleViolated(ErrorCodes.JobExists, $"Job {command.JobId} already exists."),
            command.JobId, "jobId", "A job needs an id.");
        var owner = Guard.Name(command.Owner, "owner");
        var title = Guard.Name(command.Title, "title");
        var description = Guard.Text(command.Description, "description", required: false);
        var budget = Guard.Amount(command.Budget, limits.MaxCreditsPerOperation, "budget");
        return new JobPosted(command.JobId, owner, command.OwnerWalletId, title, description, budget, command.Actor, command.At);
    }

    /// <summary>Posting also checks that the wallet that will pay for the launch exists, so a mistyped id fails now rather than at launch.</summary>
    public static JobPosted Handle(Job? state, Wallet? ownerWallet, PostJob command, WalletLimits limits)
    {
        var posted = Handle(state, command, limits);
        var wallet = ownerWallet ?? throw new DomainException(new NotFound("Wallet", command.OwnerWalletId.ToString()));
        if (wallet.Id != command.OwnerWalletId)
            throw new DomainException(new RuleViolated(ErrorCodes.WrongWallet, $"Wallet {wallet.Id} was given for wallet {command.OwnerWalletId}."));
        return posted;
    }

    public static ParticipantInvited Handle(Job? state, InviteParticipant command)
    {
        var job = Open(state, command.JobId);
        var participant = Participant(job, command.Participant);
        if (job.Participant(participant) is not null)
            throw new DomainException(new RuleViolated(ErrorCodes.AlreadyParticipant, $"{participant} is already on job \"{job.Title}\"."));
        return new ParticipantInvited(job.Id, participant, job.Title, command.Actor, command.At);
    }

    public static JobApplicationSubmitted Handle(Job? state, ApplyToJob command)
    {
        var job = Open(state, command.JobId);
        var participant = Participant(job, command.Participant);
        var existing = job.Participant(participant);
        if (existing is { Status: not ApplicationStatus.Invited })
            throw new DomainException(new RuleViolated(ErrorCodes.AlreadyApplied, $"{participant} has already applied to job \"{job.Title}\"."));
        var note = Guard.Text(command.CoverNote, "cover note", required: false);
        return new JobApplicationSubmitted(job.Id, participant, job.Title, note, command.Actor, command.At);
    }

    public static ParticipantAccepted Handle(Job? state, AcceptParticipant command)
    {
        var job = Open(state, command.JobId);
        var name = Guard.Name(command.Participant, "participant");
        var existing = job.Participant(name)
            ?? throw new DomainException(new RuleViolated(ErrorCodes.NotAParticipant, $"{name} has neither applied to nor been invited to job \"{job.Title}\"."));
        if (existing.Status == ApplicationStatus.Accepted)
            throw new DomainException(new RuleViolated("already-accepted", $"{existing.Name} is already accepted on job \"{job.Title}\"."));
        return new ParticipantAccepted(job.Id, existing.Name, command.Actor, command.At);
    }

    /// <summary>Launching pays the job's budget from the owner's wallet: both events are appended in one transaction.</summary>
    public static (JobLaunched Launched, CreditsSpent Spent) Handle(Job? state, Wallet? ownerWallet, LaunchJob command)
    {
        var job = Open(state, command.JobId);
        if (!job.Participants.Any(p => p.Status == ApplicationStatus.Accepted))
            throw new DomainException(new RuleViolated(ErrorCodes.NoAcceptedParticipant, $"Job \"{job.Title}\" needs an accepted participant before it can be launched."));
        var wallet = ownerWallet ?? throw new DomainException(new NotFound("Wallet", job.OwnerWalletId.ToString()));
        if (wallet.Id != job.OwnerWalletId)
            throw new DomainException(new RuleViolated(ErrorCodes.WrongWallet, $"Job \"{job.Title}\" is paid from wallet {job.OwnerWalletId}, not {wallet.Id}."));
        if (job.Budget > wallet.Balance)
            throw new DomainException(new RuleViolated(ErrorCodes.InsufficientCredits,
                $"Not enough credits in wallet: balance {wallet.Balance}, requested {job.Budget}"));
        var spent = new CreditsSpent(wallet.Id, job.Budget, SpendTypes.JobLaunch, new TypeMetadata(job.Id), command.Actor, command.At,
            $"Launch of job \"{job.Title}\"");
        return (new JobLaunched(job.Id, wallet.Id, job.Budget, job.ParticipantNames, command.Actor, command.At), spent);
    }

    public static JobCompleted Handle(Job? state, CompleteJob command)
    {
        var job = Existing(state, command.JobId);
        if (job.Status != JobStatus.Launched)
            throw new DomainException(new RuleViolated(ErrorCodes.NotLaunched, $"Job \"{job.Title}\" is {job.Status.ToString().ToLowerInvariant()}; only a launched job can be completed."));
        return new JobCompleted(job.Id, job.ParticipantNames, command.Actor, command.At);
    }

    /// <summary>Cancelling a launched job refunds what the launch spent.</summary>
    public static (JobCancelled Cancelled, CreditsGranted? Refund) Handle(Job? state, CancelJob command)
    {
        var job = Existing(state, command.JobId);
        if (job.Status is JobStatus.Completed or JobStatus.Cancelled)
            throw new DomainException(new RuleViolated(ErrorCodes.JobClosed, $"Job \"{job.Title}\" is already {job.Status.ToString().ToLowerInvariant()}."));
        var reason = Guard.Text(command.Reason, "reason");
        var refund = job.Status == JobStatus.Launched ? job.CreditsSpent : 0;
        // The refund's reason names the job and, when it fits the wallet's limit, the cancellation reason.
        var refundReason = $"Refund for cancelled job \"{job.Title}\"";
        if (refundReason.Length + 2 + reason.Length <= Guard.MaxTextLength) refundReason += $": {reason}";
        var refunded = refund > 0
            ? new CreditsGranted(job.OwnerWalletId, refund, GrantTypes.Refund, new TypeMetadata(job.Id), command.Actor, command.At, refundReason, GrantSource.Refund)
            : null;
        return (new JobCancelled(job.Id, refund, job.ParticipantNames, command.Actor, command.At, reason), refunded);
    }

    private static Job Existing(Job? state, Guid jobId) => state ?? throw new DomainException(new NotFound("Job", jobId.ToString()));

    private static Job Open(Job? state, Guid jobId)
    {
        var job = Existing(state, jobId);
        if (job.Status != JobStatus.Open)
            throw new DomainException(new RuleViolated(ErrorCodes.JobNotOpen, $"Job \"{job.Title}\" is {job.Status.ToString().ToLowerInvariant()}, not open."));
        return job;
    }

    private static string Participant(Job job, string? name)
    {
        var participant = Guard.Name(name, "participant");
        if (string.Equals(participant, job.Owner, StringComparison.OrdinalIgnoreCase))
            throw new DomainException(new RuleViolated(ErrorCodes.OwnerCannotParticipate, $"{participant} owns job \"{job.Title}\" and cannot also be a participant."));
        return participant;
    }
}
