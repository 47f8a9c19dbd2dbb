namespace AuditPortal.Core.Jobs;

/// <summary>
/// Commands on marketplace jobs through the decide step of <see cref="CommandExecutor"/>; a launch or a cancel touches
/// the job and the owner's wallet, so it passes its own body and both commit in one transaction.
/// </summary>
public sealed class JobService(CommandExecutor executor, WalletLimits limits, TimeProvider time)
{
    public static readonly StreamKind<Job> Jobs = new("Job", _ => "This job changed since you opened it; reload to see the change, then try again.");

    public Task<CommandResult> PostAsync(Actor actor, Guid commandId, Guid jobId, string owner, Guid ownerWalletId, string title, string description, int budget, CancellationToken ct = default) =>
        executor.ExecuteAsync(actor, Permission.SpendCredits, commandId, nameof(PostJob), async session =>
        {
            var existing = await session.Events.AggregateStreamAsync<Job>(jobId, token: ct);
            var wallet = await session.Events.AggregateStreamAsync<Wallet>(ownerWalletId, token: ct);
            var posted = JobDecisions.Handle(existing, wallet, new PostJob(jobId, owner, ownerWalletId, title, description, budget, commandId, actor.UserName, time.GetUtcNow()), limits);
            session.Events.StartStream<Job>(jobId, posted);
            return CommandResult.Accepted(jobId, 1, $"Job \"{posted.Title}\" posted.");
        }, ct: ct);

    public Task<CommandResult> InviteAsync(Actor actor, Guid commandId, Guid jobId, string participant, long? expectedVersion = null, CancellationToken ct = default) =>
        executor.DecideAsync(Jobs, actor, Permission.SpendCredits, commandId, nameof(InviteParticipant), jobId, expectedVersion,
            job => JobDecisions.Handle(job, new InviteParticipant(jobId, participant, commandId, actor.UserName, time.GetUtcNow(), expectedVersion)),
            (_, _) => $"{participant} invited.", ct);

    public Task<CommandResult> ApplyAsync(Actor actor, Guid commandId, Guid jobId, string participant, string coverNote, long? expectedVersion = null, CancellationToken ct = default) =>
        executor.DecideAsync(Jobs, actor, Permission.SpendCredits, commandId, nameof(ApplyToJob), jobId, expectedVersion,
            job => JobDecisions.Handle(job, new ApplyToJob(jobId, participant, coverNote, commandId, actor.UserName, time.GetUtcNow(), expectedVersion)),
            (_, _) => $"{participant} applied.", ct);

    public Task<CommandResult> AcceptAsync(Actor actor, Guid commandId, Guid jobId, string participant, long? expectedVersion = null, CancellationToken ct = default) =>
        executor.DecideAsync(Jobs, actor, Permission.SpendCredits, commandId, nameof(AcceptParticipant), jobId, expectedVersion,
            job => JobDecisions.Handle(job, new AcceptParticipant(jobId, participant, commandId, actor.UserName, time.GetUtcNow(), expectedVersion)),
            (_, _) => $"{participant} accepted.", ct);

    public Task<CommandResult> CompleteAsync(Actor actor, Guid commandId, Guid jobId, long? expectedVersion = null, CancellationToken ct = default) =>
        executor.DecideAsync(Jobs, actor, Permission.SpendCredits, commandId, nameof(CompleteJob), jobId, expectedVersion,
            job => JobDecisions.Handle(job, new CompleteJob(jobId, commandId, actor.UserName, time.GetUtcNow(), expectedVersion)),
            (_, _) => "Job completed.", ct);

    public Task<CommandResult> LaunchAsync(Actor actor, Guid commandId, Guid jobId, long? expectedVersion = null, CancellationToken ct = default) =>
        executor.ExecuteAsync(actor, Permission.SpendCredits, commandId, nameof(LaunchJob), async session =>
        {
            var job = await CommandExecutor.FetchForWritingAsync(session, Jobs, jobId, expectedVersion, ct);
            var walletId = job.Aggregate?.OwnerWalletId ?? throw new DomainException(new NotFound("Job", jobId.ToString()));
            var wallet = await session.Events.FetchForExclusiveWriting<Wallet>(walletId, ct);
            var (launched, spent) = JobDecisions.Handle(job.Aggregate, wallet.Aggregate, new LaunchJob(jobId, commandId, actor.UserName, time.GetUtcNow(), expectedVersion));
            job.AppendOne(launched);
            wallet.AppendOne(spent);
            return CommandResult.Accepted(jobId, job.CurrentVersion!.Value, $"Job launched; {spent.Amount} credits spent from the owner's wallet.");
        }, () => executor.ConflictAsync(Jobs, jobId, ct), ct);

    public Task<CommandResult> CancelAsync(Actor actor, Guid commandId, Guid jobId, string reason, long? expectedVersion = null, CancellationToken ct = default) =>
        executor.ExecuteAsync(actor, Permission.SpendCredits, commandId, nameof(CancelJob), async session =>
        {
            var job = await CommandExecutor.FetchForWritingAsync(session, Jobs, jobId, expectedVersion, ct);
            var (cancelled, refund) = JobDecisions.Handle(job.Aggregate, new CancelJob(jobId, reason, commandId, actor.UserName, time.GetUtcNow(), expectedVersion));
            job.AppendOne(cancelled);
            if (refund is not null)
            {
                var wallet = await session.Events.FetchForExclusiveWriting<Wallet>(refund.WalletId, ct);
                WalletDecisions.Handle(wallet.Aggregate, new GrantCredits(refund.WalletId, refund.Amount, refund.Reason, commandId, actor.UserName, refund.GrantedAt,
                    Type: GrantTypes.Refund, TypeMetadata: refund.TypeMetadata), WalletLimits.Default with { MaxCreditsPerOperation = int.MaxValue });
                wallet.AppendOne(refund);
            }
            return CommandResult.Accepted(jobId, job.CurrentVersion!.Value,
                refund is null ? "Job cancelled." : $"Job cancelled; {refund.Amount} credits refunded to the owner's wallet.");
        }, () => executor.ConflictAsync(Jobs, jobId, ct), ct);
}
