namespace AuditPortal.Web.Tests.Approvals;

/// <summary>In-memory requests, filtered as <see cref="ApprovalQueries"/> does for the signed-in <see cref="Me"/>.</summary>
public sealed class FakeApprovalReads : IApprovalReads
{
    public List<ApprovalRequestView> Requests { get; } = [];
    public List<ApprovalListQuery> Queries { get; } = [];
    public string Me { get; set; } = "admin";
    public bool MayApprove { get; set; } = true;

    /// <summary>Display names known from sign-ins (lower-cased user → name), as ApprovalQueries returns them with a page.</summary>
    public Dictionary<string, string> DisplayNames { get; } = [];

    public ApprovalRequestView Add(string requestedBy, int amount, Guid? walletId = null, ApprovalStatus status = ApprovalStatus.Pending, DateTimeOffset? at = null)
    {
        var request = new ApprovalRequestView
        {
            Id = Guid.CreateVersion7(), Action = ApprovalAction.GrantCredits, TargetId = walletId ?? Guid.CreateVersion7(), TargetName = "wallet of dana",
            Amount = amount, Reason = "refund of the outage", RequestedBy = requestedBy, RequesterKey = ApprovalRequestView.KeyOf(requestedBy),
            RequestedAt = at ?? DateTimeOffset.UtcNow.AddHours(-3), ExpiresAt = (at ?? DateTimeOffset.UtcNow).AddHours(69), Status = status, Version = 1,
        };
        Requests.Add(request);
        return request;
    }

    public Task<ApprovalPage> ListAsync(ApprovalListQuery query, CancellationToken ct = default)
    {
        Queries.Add(query);
        var me = ApprovalRequestView.KeyOf(Me);
        var rows = Requests
            .Where(r => !(query.PendingOnly || query.View == ApprovalView.ToApprove) || r.Status == ApprovalStatus.Pending)
            .Where(r => query.View switch { ApprovalView.Mine => r.RequesterKey == me, ApprovalView.ToApprove => r.RequesterKey != me, _ => true })
            .OrderByDescending(r => r.RequestedAt).ToList();
        return Task.FromResult(new ApprovalPage(rows, rows.Count, DisplayNames));
    }

    public Task<int> WaitingForMeAsync(CancellationToken ct = default) =>
        Task.FromResult(MayApprove ? Requests.Count(r => r.Status == ApprovalStatus.Pending && r.RequesterKey != ApprovalRequestView.KeyOf(Me)) : 0);

    public Task<IReadOnlyList<ApprovalRequestView>> ForTargetAsync(Guid targetId, int take = 20, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<ApprovalRequestView>>(Requests.Where(r => r.TargetId == targetId).ToList());
}

public sealed record IssuedDecision(string Kind, Actor Actor, Guid RequestId, string Text, long? ExpectedVersion);

/// <summary>Records every decision; answers with <see cref="Answer"/>.</summary>
public sealed class FakeApprovalCommands : IApprovalCommands
{
    public List<IssuedDecision> Issued { get; } = [];
    public Func<IssuedDecision, CommandResult> Answer { get; set; } = d => CommandResult.Accepted(d.RequestId, (d.ExpectedVersion ?? 0) + 1, $"{d.Kind} done.");

    public Task<CommandResult> ApproveAsync(Actor actor, Guid commandId, Guid requestId, string note, long? expectedVersion, CancellationToken ct = default) =>
        Run(new("approve", actor, requestId, note, expectedVersion));

    public Task<CommandResult> RejectAsync(Actor actor, Guid commandId, Guid requestId, string reason, long? expectedVersion, CancellationToken ct = default) =>
        Run(new("reject", actor, requestId, reason, expectedVersion));

    public Task<CommandResult> WithdrawAsync(Actor actor, Guid commandId, Guid requestId, string reason, long? expectedVersion, CancellationToken ct = default) =>
        Run(new("withdraw", actor, requestId, reason, expectedVersion));

    private Task<CommandResult> Run(IssuedDecision decision)
    {
        Issued.Add(decision);
        return Task.FromResult(Answer(decision));
    }
}
