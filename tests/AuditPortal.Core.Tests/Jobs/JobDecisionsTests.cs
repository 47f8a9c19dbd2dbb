namespace AuditPortal.Core.Tests.Jobs;

public class JobDecisionsTests
{
    private static readonly Guid JobId = Guid.Parse("0193a8f1-9113-7000-8000-0000000000a1");
    private static readonly Guid WalletId = Guid.Parse("0193a8f1-9113-7000-8000-0000000000b1");

    private static JobPosted Posted => new(JobId, "olivia", WalletId, "Logo design", "A logo", 5, "olivia", Now);
    private static ParticipantInvited Invited(string who) => new(JobId, who, "Logo design", "olivia", Now);
    private static JobApplicationSubmitted Applied(string who) => new(JobId, who, "Logo design", "hi", who, Now);
    private static ParticipantAccepted Accepted(string who) => new(JobId, who, "olivia", Now);
    private static JobLaunched Launched => new(JobId, WalletId, 5, ["paul"], "olivia", Now);
    private static JobCompleted Completed => new(JobId, ["paul"], "olivia", Now);
    private static JobCancelled Cancelled => new(JobId, 0, ["paul"], "olivia", Now, "changed my mind");

    private static Wallet? OwnerWallet(int balance) => GivenWallet(
        [new WalletOpened(WalletId, "olivia", "alice", Now), .. balance > 0 ? new object[] { new CreditsGranted(WalletId, balance, GrantTypes.Manual, null, "alice", Now, "top-up") } : []]);

    private static PostJob Post(string title = "Logo design", int budget = 5, string owner = "olivia") =>
        new(JobId, owner, WalletId, title, " A logo ", budget, Guid.NewGuid(), "olivia", Now);
    private static InviteParticipant Invite(string who) => new(JobId, who, Guid.NewGuid(), "olivia", Now);
    private static ApplyToJob Apply(string who, string note = "hi") => new(JobId, who, note, Guid.NewGuid(), who, Now);
    private static AcceptParticipant Accept(string who) => new(JobId, who, Guid.NewGuid(), "olivia", Now);
    private static LaunchJob Launch => new(JobId, Guid.NewGuid(), "olivia", Now);
    private static CompleteJob Complete => new(JobId, Guid.NewGuid(), "olivia", Now);
    private static CancelJob Cancel(string reason = "changed my mind") => new(JobId, reason, Guid.NewGuid(), "sam", Now);

    // PostJob

    [Fact]
    public void Given_no_job_When_posting_Then_job_posted_carries_owner_wallet_budget_who_and_when()
    {
        var e = JobDecisions.Handle(GivenJob(), Post(), Limits);

        Assert.Equal(new JobPosted(JobId, "olivia", WalletId, "Logo design", "A logo", 5, "olivia", Now), e);
    }

    [Fact]
    public void Given_the_owners_wallet_When_posting_Then_the_job_is_posted()
    {
        var e = JobDecisions.Handle(GivenJob(), OwnerWallet(0), Post(owner: "OLIVIA"), Limits);

        Assert.Equal((JobId, WalletId, "OLIVIA"), (e.JobId, e.OwnerWalletId, e.Owner));
    }

    [Fact]
    public void Given_another_wallet_than_the_one_named_When_posting_Then_wrong_wallet_is_rejected()
    {
        var other = GivenWallet(new WalletOpened(Guid.NewGuid(), "olivia", "alice", Now));

        ThenRejected(() => JobDecisions.Handle(GivenJob(), other, Post(), Limits), ErrorCodes.WrongWallet);
    }

    [Fact]
    public void Given_no_job_When_posting_with_an_empty_id_Then_the_id_is_rejected()
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(), Post() with { JobId = Guid.Empty }, Limits), "jobId");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Given_no_job_When_posting_with_budget_out_of_range_Then_budget_is_rejected(int budget)
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(), Post(budget: budget), Limits), "budget");
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void Given_no_job_When_posting_without_title_Then_title_is_required(string? title)
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(), Post(title: title!), Limits), "title");
    }

    [Fact]
    public void Given_no_job_When_posting_with_too_long_title_Then_title_is_rejected()
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(), Post(title: new string('t', Guard.MaxNameLength + 1)), Limits), "title");
    }

    [Fact]
    public void Given_no_job_When_posting_without_owner_Then_owner_is_required()
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(), Post(owner: " "), Limits), "owner");
    }

    [Fact]
    public void Given_no_job_When_posting_with_too_long_description_Then_description_is_rejected()
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(), Post() with { Description = new string('d', Guard.MaxTextLength + 1) }, Limits), "description");
    }

    // InviteParticipant

    [Fact]
    public void Given_open_job_When_inviting_someone_Then_participant_invited_carries_the_title()
    {
        var e = JobDecisions.Handle(GivenJob(Posted), Invite(" paul "));

        Assert.Equal(new ParticipantInvited(JobId, "paul", "Logo design", "olivia", Now), e);
    }

    [Fact]
    public void Given_open_job_When_inviting_nobody_Then_participant_is_required()
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(Posted), Invite("")), "participant");
    }

    // ApplyToJob

    [Fact]
    public void Given_open_job_When_applying_Then_application_submitted_carries_title_and_cover_note()
    {
        var e = JobDecisions.Handle(GivenJob(Posted), Apply("paul", " I can do it "));

        Assert.Equal(new JobApplicationSubmitted(JobId, "paul", "Logo design", "I can do it", "paul", Now), e);
    }

    [Fact]
    public void Given_invited_participant_When_applying_Then_the_application_is_accepted()
    {
        var job = GivenJob(Posted, Invited("paul"));

        var e = JobDecisions.Handle(job, Apply("paul"));

        Assert.Equal(ApplicationStatus.Applied, job!.Apply(e).Participant("paul")!.Status);
    }

    [Fact]
    public void Given_open_job_When_applying_with_too_long_cover_note_Then_cover_note_is_rejected()
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(Posted), Apply("paul", new string('n', Guard.MaxTextLength + 1))), "cover note");
    }

    // AcceptParticipant

    [Fact]
    public void Given_applicant_When_accepting_Then_participant_accepted_uses_the_stored_name()
    {
        var e = JobDecisions.Handle(GivenJob(Posted, Applied("paul")), Accept(" PAUL "));

        Assert.Equal(new ParticipantAccepted(JobId, "paul", "olivia", Now), e);
    }

    [Fact]
    public void Given_accepted_participant_When_accepting_again_Then_already_accepted_is_rejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul")), Accept("paul")), "already-accepted");
    }

    // LaunchJob

    [Fact]
    public void Given_accepted_participant_and_enough_credits_When_launching_Then_job_launched_and_job_launch_spend_are_returned()
    {
        var job = GivenJob(Posted, Invited("quinn"), Applied("paul"), Accepted("paul"));

        var (launched, spent) = JobDecisions.Handle(job, OwnerWallet(8), Launch);

        Assert.Equal((JobId, WalletId, 5, "olivia", Now), (launched.JobId, launched.OwnerWalletId, launched.CreditsSpent, launched.LaunchedBy, launched.LaunchedAt));
        Assert.Equal(["quinn", "paul"], launched.Participants);
        Assert.Equal((WalletId, 5, SpendTypes.JobLaunch, "olivia", Now), (spent.WalletId, spent.Amount, spent.Type, spent.SpentBy, spent.SpentAt));
        Assert.Equal(JobId, spent.TypeMetadata!.JobId);
        Assert.Contains("Logo design", spent.Reason);
        Assert.Equal(3, OwnerWallet(8)!.Apply(spent).Balance);
    }

    [Fact]
    public void Given_exactly_the_budget_in_the_wallet_When_launching_Then_the_wallet_is_emptied()
    {
        var (_, spent) = JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul")), OwnerWallet(5), Launch);

        Assert.Equal(0, OwnerWallet(5)!.Apply(spent).Balance);
    }

    [Fact]
    public void Given_balance_three_and_budget_five_When_launching_Then_not_enough_credits_is_rejected()
    {
        var error = ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul")), OwnerWallet(3), Launch), ErrorCodes.InsufficientCredits);

        Assert.Equal("Not enough credits in wallet: balance 3, requested 5", error.Message);
    }

    [Fact]
    public void Given_another_owners_wallet_When_launching_Then_the_wallet_is_rejected()
    {
        var other = GivenWallet(new WalletOpened(Guid.NewGuid(), "mallory", "alice", Now), new CreditsGranted(Guid.Empty, 50, GrantTypes.Manual, null, "alice", Now, "x"));

        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul")), other, Launch), ErrorCodes.WrongWallet);
    }

    // CompleteJob

    [Fact]
    public void Given_launched_job_When_completing_Then_job_completed_names_the_participants()
    {
        var e = JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched), Complete);

        Assert.Equal((JobId, "olivia", Now), (e.JobId, e.CompletedBy, e.CompletedAt));
        Assert.Equal(["paul"], e.Participants);
    }

    // CancelJob

    [Fact]
    public void Given_open_job_When_cancelling_Then_job_cancelled_without_refund()
    {
        var (cancelled, refund) = JobDecisions.Handle(GivenJob(Posted, Applied("paul")), Cancel(" changed my mind "));

        Assert.Equal((0, "changed my mind", "sam", Now), (cancelled.CreditsRefunded, cancelled.Reason, cancelled.CancelledBy, cancelled.CancelledAt));
        Assert.Equal(["paul"], cancelled.Participants);
        Assert.Null(refund);
    }

    [Fact]
    public void Given_launched_job_When_cancelling_Then_the_launch_spend_is_refunded_with_the_job_id()
    {
        var (cancelled, refund) = JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched), Cancel());

        Assert.Equal(5, cancelled.CreditsRefunded);
        Assert.NotNull(refund);
        Assert.Equal((WalletId, 5, GrantTypes.Refund, JobId, "sam", Now), (refund.WalletId, refund.Amount, refund.Type, refund.TypeMetadata!.JobId!.Value, refund.GrantedBy, refund.GrantedAt));
        Assert.Contains("changed my mind", refund.Reason);
    }

    [Fact]
    public void Given_launched_job_When_cancelling_with_the_longest_reason_Then_the_refund_reason_still_fits_the_wallet_limit()
    {
        var (cancelled, refund) = JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched), Cancel(new string('r', Guard.MaxTextLength)));

        Assert.Equal(Guard.MaxTextLength, cancelled.Reason.Length);
        Assert.Equal("Refund for cancelled job \"Logo design\"", refund!.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void Given_open_job_When_cancelling_without_reason_Then_reason_is_required(string? reason)
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(Posted), Cancel(reason!)), "reason");
    }

    [Fact]
    public void Given_open_job_When_cancelling_with_too_long_reason_Then_reason_is_rejected()
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(Posted), Cancel(new string('r', Guard.MaxTextLength + 1))), "reason");
    }

    /// <summary>Each rule a job command can break, named as the Given_When_Then it tests: the decision refuses with the rule's code.</summary>
    private static readonly Dictionary<string, (Func<object> When, string Code)> RuleBreaks = new()
    {
        ["Given_never_opened_wallet_When_posting_Then_wallet_not_found_is_rejected"] = (() => JobDecisions.Handle(GivenJob(), null, Post(), Limits), ErrorCodes.NotFound),
        ["Given_posted_job_When_posting_the_same_id_again_Then_job_exists_is_rejected"] = (() => JobDecisions.Handle(GivenJob(Posted), Post(), Limits), ErrorCodes.JobExists),
        ["Given_invited_participant_When_inviting_again_in_other_case_Then_already_participant_is_rejected"] = (() => JobDecisions.Handle(GivenJob(Posted, Invited("paul")), Invite("PAUL")), ErrorCodes.AlreadyParticipant),
        ["Given_open_job_When_inviting_the_owner_Then_owner_cannot_participate"] = (() => JobDecisions.Handle(GivenJob(Posted), Invite("Olivia")), ErrorCodes.OwnerCannotParticipate),
        ["Given_no_job_When_inviting_Then_job_not_found_is_rejected"] = (() => JobDecisions.Handle(GivenJob(), Invite("paul")), ErrorCodes.NotFound),
        ["Given_launched_job_When_inviting_Then_job_not_open_is_rejected"] = (() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched), Invite("quinn")), ErrorCodes.JobNotOpen),
        ["Given_applied_participant_When_applying_again_Then_already_applied_is_rejected"] = (() => JobDecisions.Handle(GivenJob(Posted, Applied("paul")), Apply("paul")), ErrorCodes.AlreadyApplied),
        ["Given_open_job_When_the_owner_applies_Then_owner_cannot_participate"] = (() => JobDecisions.Handle(GivenJob(Posted), Apply("olivia")), ErrorCodes.OwnerCannotParticipate),
        ["Given_completed_job_When_applying_Then_job_not_open_is_rejected"] = (() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched, Completed), Apply("quinn")), ErrorCodes.JobNotOpen),
        ["Given_no_job_When_applying_Then_job_not_found_is_rejected"] = (() => JobDecisions.Handle(GivenJob(), Apply("paul")), ErrorCodes.NotFound),
        ["Given_stranger_When_accepting_Then_not_a_participant_is_rejected"] = (() => JobDecisions.Handle(GivenJob(Posted, Applied("paul")), Accept("quinn")), ErrorCodes.NotAParticipant),
        ["Given_cancelled_job_When_accepting_Then_job_not_open_is_rejected"] = (() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Cancelled), Accept("paul")), ErrorCodes.JobNotOpen),
        ["Given_no_job_When_accepting_Then_job_not_found_is_rejected"] = (() => JobDecisions.Handle(GivenJob(), Accept("paul")), ErrorCodes.NotFound),
        ["Given_no_accepted_participant_When_launching_Then_no_accepted_participant_is_rejected"] = (() => JobDecisions.Handle(GivenJob(Posted, Applied("paul")), OwnerWallet(8), Launch), ErrorCodes.NoAcceptedParticipant),
        ["Given_never_opened_owner_wallet_When_launching_Then_wallet_not_found_is_rejected"] = (() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul")), null, Launch), ErrorCodes.NotFound),
        ["Given_launched_job_When_launching_again_Then_job_not_open_is_rejected"] = (() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched), OwnerWallet(50), Launch), ErrorCodes.JobNotOpen),
        ["Given_no_job_When_launching_Then_job_not_found_is_rejected"] = (() => JobDecisions.Handle(GivenJob(), OwnerWallet(50), Launch), ErrorCodes.NotFound),
        ["Given_open_job_When_completing_Then_not_launched_is_rejected"] = (() => JobDecisions.Handle(GivenJob(Posted), Complete), ErrorCodes.NotLaunched),
        ["Given_completed_job_When_completing_again_Then_not_launched_is_rejected"] = (() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched, Completed), Complete), ErrorCodes.NotLaunched),
        ["Given_no_job_When_completing_Then_job_not_found_is_rejected"] = (() => JobDecisions.Handle(GivenJob(), Complete), ErrorCodes.NotFound),
        ["Given_completed_job_When_cancelling_Then_job_closed_is_rejected"] = (() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched, Completed), Cancel()), ErrorCodes.JobClosed),
        ["Given_cancelled_job_When_cancelling_again_Then_job_closed_is_rejected"] = (() => JobDecisions.Handle(GivenJob(Posted, Cancelled), Cancel()), ErrorCodes.JobClosed),
        ["Given_no_job_When_cancelling_Then_job_not_found_is_rejected"] = (() => JobDecisions.Handle(GivenJob(), Cancel()), ErrorCodes.NotFound),
    };

    public static TheoryData<string> RuleBreakCases() => Cases(RuleBreaks);

    [Theory]
    [MemberData(nameof(RuleBreakCases))]
    public void Given_a_job_When_a_command_breaks_a_rule_Then_it_is_rejected_with_the_rules_code(string rule) =>
        ThenRejected(RuleBreaks[rule]);
}
