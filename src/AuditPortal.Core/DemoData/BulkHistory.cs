namespace AuditPortal.Core.DemoData;

public sealed record BulkHistoryOptions
{
    public int TotalEvents { get; init; } = 1_000_000;
    public int Wallets { get; init; } = 100_000;
    /// <summary>Share of wallets whose owner posts and launches one job (7 events: 6 on the job, the launch spend on the wallet).</summary>
    public double JobShare { get; init; } = 0.1;
    public int Seed { get; init; } = 42;
    public int StreamsPerBatch { get; init; } = 2_000;
    public DateTimeOffset Start { get; init; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    /// <summary>Grants before this time are stored as v1 (<see cref="OlderVersions"/>); by default the middle of the year.</summary>
    public DateTimeOffset? UpgradedAt { get; init; }
    public DateTimeOffset EffectiveUpgradedAt => UpgradedAt ?? Start.AddDays(182);
}

/// <param name="BindingTime">Time spent binding the events to the portal (<see cref="Integrity.EventBinding"/>), for the cost per event.</param>
public sealed record BulkHistoryResult(long Events, int Streams, int Wallets, int Jobs, TimeSpan Elapsed, TimeSpan BindingTime = default);

/// <summary>
/// A large, valid history of the demo domain written through Marten's binary COPY path: wallets opened, grants and
/// spends (a spend never exceeds the balance), and for a share of wallets a job posted, staffed, launched (the launch
/// spend on the owner's wallet) and completed. Deterministic for a seed.
/// </summary>
public static class BulkHistory
{
    public static readonly string[] Staff = ["alice", "sam", "dave", "admin"];

    public static async Task<BulkHistoryResult> GenerateAsync(IDocumentStore store, BulkHistoryOptions options, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var random = new Random(options.Seed);
        var registry = (IEventRegistry)((StoreOptions)store.Options).Events;
        var binder = new Binder(Integrity.EventBinding.For(store), store.Options.Serializer());
        var jobsWanted = (int)(options.Wallets * options.JobShare);
        // Per wallet: 1 opened, the job's 7 events for job owners, the rest grants and spends.
        var perWallet = Math.Max(2.0, (options.TotalEvents - 7.0 * jobsWanted) / options.Wallets);
        var secondsInYear = 365 * 24 * 3600;

        var batch = new List<StreamAction>(options.StreamsPerBatch + 1);
        long written = 0;
        var streams = 0;
        var jobs = 0;
        for (var w = 0; w < options.Wallets && written < options.TotalEvents; w++)
        {
            var walletId = Guid.CreateVersion7();
            var owner = $"owner-{w:D6}";
            var at = options.Start.AddSeconds(random.Next(secondsInYear));
            var actor = Staff[random.Next(Staff.Length)];
            var events = new List<object> { new WalletOpened(walletId, owner, actor, at) };
            var count = (int)perWallet + (random.NextDouble() < perWallet - Math.Floor(perWallet) ? 1 : 0);
            var balance = 0;
            var hasJob = jobs < jobsWanted && w % Math.Max(1, (int)Math.Round(1 / Math.Max(options.JobShare, 1e-9))) == 0;
            List<object>? jobEvents = null;
            for (var i = 1; i < count; i++)
            {
                at = at.AddMinutes(1 + random.Next(600));
                actor = Staff[random.Next(Staff.Length)];
                if (balance == 0 || random.NextDouble() < 0.55)
                {
                    var amount = 1 + random.Next(500);
                    balance += amount;
                    events.Add(new CreditsGranted(walletId, amount, GrantTypes.Manual, null, actor, at, "Top-up"));
                }
                else
                {
                    var amount = 1 + random.Next(balance);
                    balance -= amount;
                    events.Add(new CreditsSpent(walletId, amount, SpendTypes.Manual, null, actor, at, "Purchase"));
                }
            }
            if (hasJob)
            {
                var jobId = Guid.CreateVersion7();
                var participant = $"freelancer-{random.Next(5000):D4}";
                var title = $"Job {w}";
                var budget = 100;
                at = at.AddMinutes(5);
                if (balance < budget)
                {
                    events.Add(new CreditsGranted(walletId, budget - balance, GrantTypes.Manual, null, actor, at, "Top-up for a job"));
                    balance = budget;
                }
                events.Add(new CreditsSpent(walletId, budget, SpendTypes.JobLaunch, new TypeMetadata(jobId), owner, at.AddMinutes(4), $"Launch of {title}"));
                balance -= budget;
                jobEvents =
                [
                    new JobPosted(jobId, owner, walletId, title, "Generated for the benchmark", budget, owner, at),
                    new ParticipantInvited(jobId, participant, title, owner, at.AddMinutes(1)),
                    new JobApplicationSubmitted(jobId, participant, title, "Happy to help", participant, at.AddMinutes(2)),
                    new ParticipantAccepted(jobId, participant, owner, at.AddMinutes(3)),
                    new JobLaunched(jobId, walletId, budget, [participant], owner, at.AddMinutes(4)),
                    new JobCompleted(jobId, [participant], owner, at.AddMinutes(60)),
                ];
                batch.Add(Stream<Job>(registry, binder, jobId, jobEvents));
                jobs++;
                streams++;
                written += jobEvents.Count;
            }
            batch.Add(Stream<Wallet>(registry, binder, walletId, events, options.EffectiveUpgradedAt));
            streams++;
            written += events.Count;

            if (batch.Count >= options.StreamsPerBatch)
            {
                await store.BulkInsertEventsAsync(batch, 1000, ct);
                batch.Clear();
                progress?.Report(written);
            }
        }
        if (batch.Count > 0) await store.BulkInsertEventsAsync(batch, 1000, ct);
        progress?.Report(written);
        return new BulkHistoryResult(written, streams, Math.Min(options.Wallets, streams - jobs), jobs, started.Elapsed, binder.Time);
    }

    /// <summary>
    /// Imports more streams of one kind (e.g. the benchmark's open approval requests) through the same binary COPY path,
    /// each event bound and its historic time signed as in <see cref="GenerateAsync"/>. Returns the streams as written.
    /// Grants made before <paramref name="upgradedAt"/> are stored as v1 (<see cref="OlderVersions"/>).
    /// </summary>
    public static async Task<IReadOnlyList<StreamAction>> ImportAsync<TAggregate>(IDocumentStore store, IEnumerable<(Guid Id, List<object> Events)> streams,
        CancellationToken ct = default, DateTimeOffset? upgradedAt = null)
    {
        var registry = (IEventRegistry)((StoreOptions)store.Options).Events;
        var binder = new Binder(Integrity.EventBinding.For(store), store.Options.Serializer());
        var actions = streams.Select(s => Stream<TAggregate>(registry, binder, s.Id, s.Events, upgradedAt)).ToList();
        await store.BulkInsertEventsAsync(actions, 1000, ct);
        return actions;
    }

    /// <summary>
    /// Binds each imported event (COPY bypasses the sessions' binding listener) with its historic time signed, which the
    /// database keeps only when the import runs as the schema owner.
    /// </summary>
    private sealed class Binder(Integrity.EventBinding? binding, ISerializer serializer)
    {
        public TimeSpan Time;

        public void Bind(StreamAction action)
        {
            if (binding is null) return;
            var version = 0L;
            foreach (var e in action.Events)
                Time += binding.Stamp(e, action.Id, ++version, JasperFx.StorageConstants.DefaultTenantId, serializer, signTimestamp: true);
        }
    }

    private static StreamAction Stream<TAggregate>(IEventRegistry registry, Binder binder, Guid id, List<object> events,
        DateTimeOffset? upgradedAt = null)
    {
        var action = StreamAction.Start(registry, id, upgradedAt is { } upgraded
            ? events.Select(e => OlderVersions.AsOf(e, e is CreditsGranted g ? g.GrantedAt : DateTimeOffset.MaxValue, upgraded)).ToArray()
            : events.ToArray());
        action.AggregateType = typeof(TAggregate);
        foreach (var e in action.Events)
        {
            e.UserName = e.Data switch
            {
                WalletOpened x => x.OpenedBy,
                CreditsGranted x => x.GrantedBy,
                CreditsGrantedV1 x => x.GrantedBy,
                CreditsSpent x => x.SpentBy,
                JobPosted x => x.PostedBy,
                ParticipantInvited x => x.InvitedBy,
                JobApplicationSubmitted x => x.AppliedBy,
                ParticipantAccepted x => x.AcceptedBy,
                JobLaunched x => x.LaunchedBy,
                JobCompleted x => x.CompletedBy,
                ApprovalRequested x => x.RequestedBy,
                _ => null,
            };
            e.Timestamp = e.Data switch
            {
                WalletOpened x => x.OpenedAt,
                CreditsGranted x => x.GrantedAt,
                CreditsGrantedV1 x => x.GrantedAt,
                CreditsSpent x => x.SpentAt,
                JobPosted x => x.PostedAt,
                ParticipantInvited x => x.InvitedAt,
                JobApplicationSubmitted x => x.AppliedAt,
                ParticipantAccepted x => x.AcceptedAt,
                JobLaunched x => x.LaunchedAt,
                JobCompleted x => x.CompletedAt,
                ApprovalRequested x => x.RequestedAt,
                _ => e.Timestamp,
            };
            OlderVersions.Name(e);
        }
        binder.Bind(action);
        return action;
    }
}
