using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Common;
using AuditPortal.Core.Wallets;
using Marten;

namespace AuditPortal.Core.Jobs;

/// <summary>Commands on marketplace jobs; a launch and its credit spend commit in one transaction.</summary>
public sealed class JobService(CommandExecutor executor, WalletLimits limits, TimeProvider time)
{
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
        OnJob(actor, commandId, nameof(InviteParticipant), jobId, expectedVersion,
            job => [JobDecisions.Handle(job, new InviteParticipant(jobId, participant, commandId, actor.UserName, time.GetUtcNow(), expectedVersion))],
            $"{participant} invited.", ct);

    public Task<CommandResult> ApplyAsync(Actor actor, Guid commandId, Guid jobId, string participant, string coverNote, long? expectedVersion = null, CancellationToken ct = default) =>
        OnJob(actor, commandId, nameof(ApplyToJob), jobId, expectedVersion,
            job => [JobDecisions.Handle(job, new ApplyToJob(jobId, participant, coverNote, commandId, actor.UserName, time.GetUtcNow(), expectedVersion))],
            $"{participant} applied.", ct);

    public Task<CommandResult> AcceptAsync(Actor actor, Guid commandId, Guid jobId, string participant, long? expectedVersion = null, CancellationToken ct = default) =>
        OnJob(actor, commandId, nameof(AcceptParticipant), jobId, expectedVersion,
            job => [JobDecisions.Handle(job, new AcceptParticipant(jobId, participant, commandId, actor.UserName, time.GetUtcNow(), expectedVersion))],
            $"{participant} accepted.", ct);

    public Task<CommandResult> CompleteAsync(Actor actor, Guid commandId, Guid jobId, long? expectedVersion = null, CancellationToken ct = default) =>
        OnJob(actor, commandId, nameof(CompleteJob), jobId, expectedVersion,
            job => [JobDecisions.Handle(job, new CompleteJob(jobId, commandId, actor.UserName, time.GetUtcNow(), expectedVersion))],
            "Job completed.", ct);

    public Task<CommandResult> LaunchAsync(Actor actor, Guid commandId, Guid jobId, long? expectedVersion = null, CancellationToken ct = default) =>
        executor.ExecuteAsync(actor, Permission.SpendCredits, commandId, nameof(LaunchJob), async session =>
        {
            var job = await FetchJob(session, jobId, expectedVersion, ct);
            var walletId = job.Aggregate?.OwnerWalletId ?? throw new DomainException(new NotFound("Job", jobId.ToString()));
            var wallet = await session.Events.FetchForExclusiveWriting<Wallet>(walletId, ct);
            var (launched, spent) = JobDecisions.Handle(job.Aggregate, wallet.Aggregate, new LaunchJob(jobId, commandId, actor.UserName, time.GetUtcNow(), expectedVersion));
            job.AppendOne(launched);
            wallet.AppendOne(spent);
            return CommandResult.Accepted(jobId, job.CurrentVersion!.Value, $"Job launched; {spent.Amount} credits spent from the owner's wallet.");
        }, () => ConflictAsync(jobId, ct), ct);

    public Task<CommandResult> CancelAsync(Actor actor, Guid commandId, Guid jobId, string reason, long? expectedVersion = null, CancellationToken ct = default) =>
        executor.ExecuteAsync(actor, Permission.SpendCredits, commandId, nameof(CancelJob), async session =>
        {
            var job = await FetchJob(session, jobId, expectedVersion, ct);
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
        }, () => ConflictAsync(jobId, ct), ct);

    private Task<CommandResult> OnJob(Actor actor, Guid commandId, string commandType, Guid jobId, long? expectedVersion,
        Func<Job?, object[]> decide, string message, CancellationToken ct) =>
        executor.ExecuteAsync(actor, Permission.SpendCredits, commandId, commandType, async session =>
        {
            var stream = await FetchJob(session, jobId, expectedVersion, ct);
            var events = decide(stream.Aggregate);
            stream.AppendMany(events);
            return CommandResult.Accepted(jobId, stream.CurrentVersion!.Value, message);
        }, () => ConflictAsync(jobId, ct), ct);

    private async Task<CommandResult> ConflictAsync(Guid jobId, CancellationToken ct)
    {
        await using var query = executor.Store.QuerySession();
        var state = await query.Events.FetchStreamStateAsync(jobId, ct);
        // An expected version on a job that was never posted is not a conflict: the job does not exist.
        return state is null
            ? CommandResult.Rejected(new NotFound("Job", jobId.ToString()))
            : CommandResult.Conflict("This job changed since you opened it; reload to see the change, then try again.", state.Version);
    }

    private static Task<JasperFx.Events.IEventStream<Job>> FetchJob(IDocumentSession session, Guid jobId, long? expectedVersion, CancellationToken ct) =>
        // Marten throws on an empty stream id: no job has it, so say so.
        jobId == Guid.Empty ? throw new DomainException(new NotFound("Job", jobId.ToString()))
        : expectedVersion is { } v ? session.Events.FetchForWriting<Job>(jobId, v, ct) : session.Events.FetchForExclusiveWriting<Job>(jobId, ct);
}
