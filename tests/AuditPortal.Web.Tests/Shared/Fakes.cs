namespace AuditPortal.Web.Tests.Shared;

/// <summary>
/// What the in-memory list reads share: their rows, the list queries they were asked, and the refusal of every read
/// once the caller's read permission was revoked, as the real services do.
/// </summary>
public abstract class FakeListReads<TRow, TQuery>(Permission read)
{
    protected List<TRow> Rows { get; } = [];
    public List<TQuery> ListQueries { get; } = [];

    /// <summary>Refuse every read as the real service does once the caller's read permission was revoked.</summary>
    public bool Revoked { get; set; }

    protected void Check()
    {
        if (Revoked) throw new AccessDeniedException(read);
    }

    protected TRow Added(TRow row)
    {
        Rows.Add(row);
        return row;
    }

    /// <summary>Records the list query, then answers with every row that passes all the filters (the caller takes its page).</summary>
    protected List<TRow> Matching(TQuery query, params Func<TRow, bool>[] filters)
    {
        ListQueries.Add(query);
        Check();
        return Rows.Where(row => filters.All(passes => passes(row))).ToList();
    }

    protected static List<TRow> PageOf(List<TRow> rows, int page, int pageSize) => rows.Skip(page * pageSize).Take(pageSize).ToList();
}

public sealed class FakeWalletReads() : FakeListReads<WalletSummary, WalletListQuery>(Permission.ReadWallets), IWalletReads
{
    public List<WalletTransaction> Transactions { get; } = [];
    /// <summary>Answer as the real service does past its exact-count limit: this estimate instead of the count.</summary>
    public long? EstimatedTotal { get; set; }
    /// <summary>Answer as the real service does while a new version of the read models is built.</summary>
    public PreviousVersion? Previous { get; set; }

    public WalletSummary Add(string owner, int balance, long version = 1) => Added(new WalletSummary
    {
        Id = Guid.CreateVersion7(), Owner = owner, Balance = balance, Version = version,
        OpenedAt = DateTimeOffset.UtcNow, LastChangedAt = DateTimeOffset.UtcNow, LastChangedBy = "admin",
    });

    public Task<WalletListPage> ListAsync(WalletListQuery query, CancellationToken ct = default)
    {
        var matching = Matching(query,
            w => query.OwnerContains is not { Length: > 0 } text || w.Owner.Contains(text, StringComparison.OrdinalIgnoreCase),
            w => query.MinBalance is not { } min || w.Balance >= min,
            w => query.MaxBalance is not { } max || w.Balance <= max,
            w => query.ChangedSince is not { } since || w.LastChangedAt >= since);
        var items = PageOf(matching, query.Page, query.PageSize);
        return Task.FromResult(EstimatedTotal is { } estimate
            ? new WalletListPage(items, estimate, TotalIsEstimate: true, Previous)
            : new WalletListPage(items, matching.Count, Previous: Previous));
    }

    public int GetCalls { get; private set; }

    public Task<WalletSummary?> GetAsync(Guid walletId, CancellationToken ct = default)
    {
        GetCalls++;
        Check();
        return Task.FromResult(Rows.FirstOrDefault(w => w.Id == walletId));
    }

    public Task<WalletTransactionPage> GetHistoryAsync(Guid walletId, int take, CancellationToken ct = default)
    {
        Check();
        var items = Transactions.Where(t => t.WalletId == walletId).OrderByDescending(t => t.Sequence).ToList();
        return Task.FromResult(new WalletTransactionPage(items.Take(take).ToList(), items.Count));
    }
}

public sealed record IssuedCommand(string Kind, Actor Actor, Guid CommandId, Guid WalletId, int Amount, string Reason, long? ExpectedVersion,
    GrantSource Source = GrantSource.Manual);

/// <summary>Records every command; answers with <see cref="Answer"/>, or waits for <see cref="Gate"/> when set.</summary>
public sealed class FakeWalletCommands : IWalletCommands
{
    public List<IssuedCommand> Issued { get; } = [];
    public Func<IssuedCommand, CommandResult> Answer { get; set; } = c => CommandResult.Accepted(c.WalletId, (c.ExpectedVersion ?? 0) + 1, $"Done: {c.Amount} credits.");
    public TaskCompletionSource? Gate { get; set; }

    public Task<CommandResult> GrantAsync(Actor actor, Guid commandId, Guid walletId, int amount, string reason, long? expectedVersion,
        GrantSource source = GrantSource.Manual, CancellationToken ct = default) =>
        RunAsync(new IssuedCommand("grant", actor, commandId, walletId, amount, reason, expectedVersion, source));

    public Task<CommandResult> SpendAsync(Actor actor, Guid commandId, Guid walletId, int amount, string reason, long? expectedVersion, CancellationToken ct = default) =>
        RunAsync(new IssuedCommand("spend", actor, commandId, walletId, amount, reason, expectedVersion));

    private async Task<CommandResult> RunAsync(IssuedCommand command)
    {
        Issued.Add(command);
        if (Gate is { } gate) await gate.Task;
        return Answer(command);
    }
}

public sealed class FakeJobReads() : FakeListReads<JobOwnerView, JobListQuery>(Permission.ReadJobs), IJobReads
{
    public List<JobParticipantView> Participants { get; } = [];
    public List<JobTimelineEntry> Timeline { get; } = [];

    public JobOwnerView Add(string title, string owner, JobStatus status = JobStatus.Open, int budget = 10, int spent = 0) => Added(new JobOwnerView
    {
        Id = Guid.CreateVersion7(), Title = title, Owner = owner, Status = status, Budget = budget, CreditsSpent = spent,
        OwnerWalletId = Guid.CreateVersion7(), PostedAt = DateTimeOffset.UtcNow, LastChangedAt = DateTimeOffset.UtcNow, Version = 1,
    });

    public Task<JobListPage> ListAsync(JobListQuery query, CancellationToken ct = default)
    {
        var matching = Matching(query,
            j => query.TextContains is not { Length: > 0 } text
                || j.Title.Contains(text, StringComparison.OrdinalIgnoreCase) || j.Owner.Contains(text, StringComparison.OrdinalIgnoreCase),
            j => query.Status is not { } status || j.Status == status);
        return Task.FromResult(new JobListPage(PageOf(matching, query.Page, query.PageSize), matching.Count));
    }

    /// <summary>When set, a read of a job waits for the task it returns (to make two loads overlap); it ignores cancellation, as a read that already answered would.</summary>
    public Func<Guid, Task>? Hold { get; set; }

    public async Task<JobOwnerView?> GetAsync(Guid jobId, CancellationToken ct = default)
    {
        GetCalls++;
        Check();
        var job = Rows.FirstOrDefault(j => j.Id == jobId);
        if (Hold is { } hold) await hold(jobId);
        return job;
    }

    public int GetCalls { get; private set; }

    public Task<IReadOnlyList<JobParticipantView>> GetParticipantsAsync(Guid jobId, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<JobParticipantView>>(Participants.Where(p => p.JobId == jobId).OrderBy(p => p.Participant).ToList());

    public Task<JobParticipantView?> GetParticipantAsync(Guid jobId, string participant, CancellationToken ct = default) =>
        Task.FromResult(Participants.FirstOrDefault(p => p.Id == JobParticipantView.Key(jobId, participant)));

    public Task<IReadOnlyList<JobTimelineEntry>> GetTimelineAsync(Guid jobId, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<JobTimelineEntry>>(Timeline.ToList());
}

public sealed class FakeReadModelLag : IReadModelLag
{
    public ReadModelLag Current { get; set; } = new(0, 0);
    public Task<ReadModelLag> MeasureAsync(IReadOnlyCollection<string> projections, CancellationToken ct = default) => Task.FromResult(Current);
}

/// <summary>A wallet with no history yet: the wallet page's chart shows its empty text.</summary>
public sealed class EmptyWalletBalanceHistory : IWalletBalanceHistory
{
    public Task<IReadOnlyList<BalanceStep>> LoadAsync(Guid walletId, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<BalanceStep>>([]);
}

/// <summary>No events counted: the explorer's histogram shows its empty text.</summary>
public sealed class EmptyActivityHistogram : IActivityHistogram
{
    public Task<ActivityHistogramResult> CountAsync(AuditFilter filter, CancellationToken ct = default) =>
        Task.FromResult(ActivityHistogramResult.Empty);
}
