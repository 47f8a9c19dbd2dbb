namespace AuditPortal.Core.Tests.Approvals;

public class ApprovalDecisionsTests
{
    private static readonly Guid RequestId = Guid.Parse("0193a8f1-9113-7000-8000-0000000000a1");
    private static readonly Guid WalletId = Guid.Parse("0193a8f1-9113-7000-8000-000000000001");
    private static readonly TimeSpan Expiry = TimeSpan.FromHours(72);

    private static ApprovalRequested Requested => new(RequestId, ApprovalAction.GrantCredits, WalletId, "wallet of dana", 3,
        5000, null, null, "refund of the outage", "alice", Now, Now + Expiry);

    private static ApprovalRequest? Given(params object[] history) => ApprovalRequestHistory.Replay(history);

    private static RequestApproval Request(ApprovalAction action = ApprovalAction.GrantCredits, int? amount = 5000, string? principal = null,
        Permission? permission = null, string reason = "refund of the outage") =>
        new(RequestId, action, WalletId, "wallet of dana", 3, amount, principal, permission, reason, Guid.NewGuid(), "alice", Now, Expiry);

    private static ApproveRequest Approve(string by = "sam", TimeSpan? after = null) => new(RequestId, "checked the ticket", Guid.NewGuid(), by, Now + (after ?? TimeSpan.FromHours(1)));
    private static RejectRequest Reject(string by = "sam", string reason = "no ticket") => new(RequestId, reason, Guid.NewGuid(), by, Now + TimeSpan.FromHours(1));
    private static WithdrawRequest Withdraw(string by = "alice") => new(RequestId, "typo in the amount", Guid.NewGuid(), by, Now + TimeSpan.FromHours(1));
    private static ExpireRequest Expire(TimeSpan after) => new(RequestId, ApprovalService.ExpiryActor, Now + after);

    [Fact]
    public void Given_no_request_When_alice_asks_for_a_grant_Then_approval_requested_records_target_amount_reason_who_when_and_expiry()
    {
        var e = ApprovalDecisions.Handle(Given(), Request(reason: "  refund of the outage "));

        Assert.Equal(Requested, e);
    }

    [Fact]
    public void Given_no_request_When_asking_for_a_permission_change_Then_principal_and_permission_are_recorded_without_an_amount()
    {
        var e = ApprovalDecisions.Handle(null, Request(ApprovalAction.GrantPermission, amount: 7, principal: " bob ", permission: Permission.EditAccessControl));

        Assert.Equal((null, "bob", Permission.EditAccessControl), (e.Amount, e.Principal, e.Permission));
    }

    public static readonly IReadOnlyDictionary<string, (Func<object> When, string Field)> InvalidRequests = new Dictionary<string, (Func<object>, string)>
    {
        ["no reason"] = (() => ApprovalDecisions.Handle(null, Request(reason: " ")), "reason"),
        ["no amount"] = (() => ApprovalDecisions.Handle(null, Request(amount: null)), "amount"),
        ["zero credits"] = (() => ApprovalDecisions.Handle(null, Request(amount: 0)), "amount"),
        ["permission change without a permission"] = (() => ApprovalDecisions.Handle(null, Request(ApprovalAction.RevokePermission, principal: "bob")), "permission"),
        ["permission change without a principal"] = (() => ApprovalDecisions.Handle(null, Request(ApprovalAction.GrantPermission, permission: Permission.ReadAudit)), "principal"),
        ["empty request id"] = (() => ApprovalDecisions.Handle(null, Request() with { RequestId = Guid.Empty }), "requestId"),
    };

    public static TheoryData<string> InvalidRequestCases => Cases(InvalidRequests);

    [Theory]
    [MemberData(nameof(InvalidRequestCases))]
    public void Given_no_request_When_the_request_is_incomplete_Then_it_is_refused_with_the_field(string name)
    {
        var (when, field) = InvalidRequests[name];

        ThenInvalid(when, field);
    }

    [Fact]
    public void Given_a_request_When_asking_again_with_its_id_Then_it_is_refused()
    {
        ThenRejected(() => ApprovalDecisions.Handle(Given(Requested), Request()), ErrorCodes.RequestNotPending);
    }

    /// <summary>A pending request's endings by a decision: the event each records, and the status the request then has.</summary>
    public static readonly IReadOnlyDictionary<string, (Func<object> When, object Then, ApprovalStatus Status)> Decisions =
        new Dictionary<string, (Func<object>, object, ApprovalStatus)>
        {
            ["sam approves: who, when and note"] = (() => ApprovalDecisions.Handle(Given(Requested), Approve()),
                new RequestApproved(RequestId, "sam", Now + TimeSpan.FromHours(1), "checked the ticket"), ApprovalStatus.Approved),
            ["sam rejects with a reason"] = (() => ApprovalDecisions.Handle(Given(Requested), Reject()),
                new RequestRejected(RequestId, "sam", Now + TimeSpan.FromHours(1), "no ticket"), ApprovalStatus.Rejected),
            ["its time is up: recorded by the portal"] = (() => ApprovalDecisions.Handle(Given(Requested), Expire(Expiry)),
                new RequestExpired(RequestId, ApprovalService.ExpiryActor, Now + Expiry), ApprovalStatus.Expired),
        };

    public static TheoryData<string> DecisionCases => Cases(Decisions);

    [Theory]
    [MemberData(nameof(DecisionCases))]
    public void Given_a_pending_request_When_it_is_approved_rejected_or_expired_Then_the_event_records_it_and_the_request_ends(string decision)
    {
        var (when, then, status) = Decisions[decision];

        var e = when();

        Assert.Equal(then, e);
        Assert.Equal(status, Given(Requested, e)!.Status);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("Alice")]
    [InlineData(" ALICE ")]
    public void Given_alices_request_When_alice_approves_under_any_spelling_of_her_name_Then_it_is_refused(string name)
    {
        ThenRejected(() => ApprovalDecisions.Handle(Given(Requested), Approve(by: name)), ErrorCodes.OwnRequest);
    }

    [Fact]
    public void Given_alices_request_When_alice_rejects_it_Then_she_is_told_to_withdraw_it()
    {
        var error = ThenRejected(() => ApprovalDecisions.Handle(Given(Requested), Reject(by: "ALICE")), ErrorCodes.OwnRequest);

        Assert.Contains("withdraw", error.Message);
    }

    [Fact]
    public void Given_a_pending_request_When_approving_at_its_expiry_Then_it_is_refused_as_expired()
    {
        ThenRejected(() => ApprovalDecisions.Handle(Given(Requested), Approve(after: Expiry)), ErrorCodes.RequestExpired);
    }

    [Fact]
    public void Given_a_pending_request_When_rejecting_without_a_reason_Then_the_reason_is_required()
    {
        ThenInvalid(() => ApprovalDecisions.Handle(Given(Requested), Reject(reason: "")), "reason");
    }

    [Fact]
    public void Given_alices_request_When_alice_withdraws_it_Then_request_withdrawn_is_recorded()
    {
        var e = ApprovalDecisions.Handle(Given(Requested), Withdraw(by: "Alice"));

        Assert.Equal(ApprovalStatus.Withdrawn, Given(Requested, e)!.Status);
        Assert.Equal("Alice", e.WithdrawnBy);
    }

    [Fact]
    public void Given_alices_request_When_sam_withdraws_it_Then_only_the_requester_may()
    {
        ThenRejected(() => ApprovalDecisions.Handle(Given(Requested), Withdraw(by: "sam")), ErrorCodes.NotRequester);
    }

    [Fact]
    public void Given_a_pending_request_When_expiring_before_its_time_Then_it_is_refused()
    {
        ThenRejected(() => ApprovalDecisions.Handle(Given(Requested), Expire(Expiry - TimeSpan.FromSeconds(1))), ErrorCodes.RequestNotDue);
    }

    [Fact]
    public void Given_a_pending_request_When_an_approval_is_refused_by_the_target_Then_the_refusal_says_why_and_the_request_stays_open()
    {
        var approve = Approve();
        var refused = ApprovalDecisions.Refused(Given(Requested)!, approve, new RuleViolated(ErrorCodes.InsufficientCredits, "Not enough credits in wallet: balance 10, requested 5000"));

        Assert.Equal((ErrorCodes.InsufficientCredits, "sam"), (refused.Rule, refused.TriedBy));
        Assert.Contains("balance 10", refused.Why);
        Assert.Equal(ApprovalStatus.Pending, Given(Requested, refused)!.Status);
    }

    public static readonly IReadOnlyDictionary<string, object> Endings = new Dictionary<string, object>
    {
        ["approved"] = new RequestApproved(RequestId, "sam", Now, ""),
        ["rejected"] = new RequestRejected(RequestId, "sam", Now, "no"),
        ["withdrawn"] = new RequestWithdrawn(RequestId, "alice", Now, ""),
        ["expired"] = new RequestExpired(RequestId, ApprovalService.ExpiryActor, Now + Expiry),
    };

    public static TheoryData<string> EndingCases => Cases(Endings);

    [Theory]
    [MemberData(nameof(EndingCases))]
    public void Given_a_decided_request_When_anyone_acts_on_it_again_Then_every_transition_is_refused(string ending)
    {
        var state = Given(Requested, Endings[ending]);

        ThenRejected(() => ApprovalDecisions.Handle(state, Approve()), ErrorCodes.RequestNotPending);
        ThenRejected(() => ApprovalDecisions.Handle(state, Reject()), ErrorCodes.RequestNotPending);
        ThenRejected(() => ApprovalDecisions.Handle(state, Withdraw()), ErrorCodes.RequestNotPending);
        ThenRejected(() => ApprovalDecisions.Handle(state, Expire(Expiry * 2)), ErrorCodes.RequestNotPending);
    }

    [Fact]
    public void Given_no_request_When_approving_it_Then_it_is_not_found()
    {
        ThenRejected(() => ApprovalDecisions.Handle(null, Approve()), ErrorCodes.NotFound);
    }

    [Theory]
    [InlineData(ApprovalAction.GrantCredits, 1000, null, false)]
    [InlineData(ApprovalAction.GrantCredits, 1001, null, true)]
    [InlineData(ApprovalAction.SpendCredits, 1_000_000, null, false)]
    [InlineData(ApprovalAction.GrantPermission, 0, Permission.EditAccessControl, true)]
    [InlineData(ApprovalAction.RevokePermission, 0, Permission.ApproveChanges, true)]
    [InlineData(ApprovalAction.RevokePermission, 0, Permission.ManageProjections, true)]
    [InlineData(ApprovalAction.GrantPermission, 0, Permission.ReadWallets, false)]
    public void Given_the_default_policy_When_a_change_is_asked_for_Then_only_large_grants_and_admin_permissions_need_a_second_person(
        ApprovalAction action, int amount, Permission? permission, bool needed)
    {
        Assert.Equal(needed, new ApprovalPolicy().NeedsApproval(action, amount, permission, onPortalList: true));
        Assert.False(ApprovalPolicy.None.NeedsApproval(action, amount, permission, onPortalList: true));
    }

    [Fact]
    public void Given_the_default_policy_When_an_admin_permission_changes_on_a_resource_list_Then_no_second_person_is_needed()
    {
        Assert.False(new ApprovalPolicy().NeedsApproval(ApprovalAction.GrantPermission, 0, Permission.EditAccessControl, onPortalList: false));
    }

    [Fact]
    public void Given_a_spend_threshold_When_spending_above_it_Then_a_second_person_is_needed()
    {
        Assert.True(new ApprovalPolicy(SpendThreshold: 500).NeedsApproval(ApprovalAction.SpendCredits, 501, null, false));
    }
}
