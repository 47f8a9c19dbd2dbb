using AuditPortal.Core.Common;
using AuditPortal.Core.Jobs;
using AuditPortal.Core.Wallets;
using static AuditPortal.Core.Tests.GivenWhenThen;

namespace AuditPortal.Core.Tests.Jobs;

public class JobDecisionsTests
{
    private static readonly Guid JobId = Guid.Parse("0193a8f1-9113-7000-8000-0000000000a1");
    private static readonly Guid WalletId = Guid.Parse("0193a8f1-9113-7000-8000-0000000000b1");
    private static readonly WalletLimits Limits = new(MaxCreditsPerOperation: 1000);

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
    public void GivenNoJob_WhenPosting_ThenJobPostedCarriesOwnerWalletBudgetWhoAndWhen()
    {
        var e = JobDecisions.Handle(GivenJob(), Post(), Limits);

        Assert.Equal(new JobPosted(JobId, "olivia", WalletId, "Logo design", "A logo", 5, "olivia", Now), e);
    }

    [Fact]
    public void GivenTheOwnersWallet_WhenPosting_ThenTheJobIsPosted()
    {
        var e = JobDecisions.Handle(GivenJob(), OwnerWallet(0), Post(owner: "OLIVIA"), Limits);

        Assert.Equal((JobId, WalletId, "OLIVIA"), (e.JobId, e.OwnerWalletId, e.Owner));
    }

    [Fact]
    public void GivenNeverOpenedWallet_WhenPosting_ThenWalletNotFoundIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(), null, Post(), Limits), ErrorCodes.NotFound);
    }

    [Fact]
    public void GivenAnotherWalletThanTheOneNamed_WhenPosting_ThenWrongWalletIsRejected()
    {
        var other = GivenWallet(new WalletOpened(Guid.NewGuid(), "olivia", "alice", Now));

        ThenRejected(() => JobDecisions.Handle(GivenJob(), other, Post(), Limits), ErrorCodes.WrongWallet);
    }

    [Fact]
    public void GivenNoJob_WhenPostingWithAnEmptyId_ThenTheIdIsRejected()
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(), Post() with { JobId = Guid.Empty }, Limits), "jobId");
    }

    [Fact]
    public void GivenPostedJob_WhenPostingTheSameIdAgain_ThenJobExistsIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted), Post(), Limits), ErrorCodes.JobExists);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public void GivenNoJob_WhenPostingWithBudgetOutOfRange_ThenBudgetIsRejected(int budget)
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(), Post(budget: budget), Limits), "budget");
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void GivenNoJob_WhenPostingWithoutTitle_ThenTitleIsRequired(string? title)
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(), Post(title: title!), Limits), "title");
    }

    [Fact]
    public void GivenNoJob_WhenPostingWithTooLongTitle_ThenTitleIsRejected()
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(), Post(title: new string('t', Guard.MaxNameLength + 1)), Limits), "title");
    }

    [Fact]
    public void GivenNoJob_WhenPostingWithoutOwner_ThenOwnerIsRequired()
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(), Post(owner: " "), Limits), "owner");
    }

    [Fact]
    public void GivenNoJob_WhenPostingWithTooLongDescription_ThenDescriptionIsRejected()
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(), Post() with { Description = new string('d', Guard.MaxTextLength + 1) }, Limits), "description");
    }

    // InviteParticipant

    [Fact]
    public void GivenOpenJob_WhenInvitingSomeone_ThenParticipantInvitedCarriesTheTitle()
    {
        var e = JobDecisions.Handle(GivenJob(Posted), Invite(" paul "));

        Assert.Equal(new ParticipantInvited(JobId, "paul", "Logo design", "olivia", Now), e);
    }

    [Fact]
    public void GivenInvitedParticipant_WhenInvitingAgainInOtherCase_ThenAlreadyParticipantIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Invited("paul")), Invite("PAUL")), ErrorCodes.AlreadyParticipant);
    }

    [Fact]
    public void GivenOpenJob_WhenInvitingTheOwner_ThenOwnerCannotParticipate()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted), Invite("Olivia")), ErrorCodes.OwnerCannotParticipate);
    }

    [Fact]
    public void GivenOpenJob_WhenInvitingNobody_ThenParticipantIsRequired()
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(Posted), Invite("")), "participant");
    }

    [Fact]
    public void GivenNoJob_WhenInviting_ThenJobNotFoundIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(), Invite("paul")), ErrorCodes.NotFound);
    }

    [Fact]
    public void GivenLaunchedJob_WhenInviting_ThenJobNotOpenIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched), Invite("quinn")), ErrorCodes.JobNotOpen);
    }

    // ApplyToJob

    [Fact]
    public void GivenOpenJob_WhenApplying_ThenApplicationSubmittedCarriesTitleAndCoverNote()
    {
        var e = JobDecisions.Handle(GivenJob(Posted), Apply("paul", " I can do it "));

        Assert.Equal(new JobApplicationSubmitted(JobId, "paul", "Logo design", "I can do it", "paul", Now), e);
    }

    [Fact]
    public void GivenInvitedParticipant_WhenApplying_ThenTheApplicationIsAccepted()
    {
        var job = GivenJob(Posted, Invited("paul"));

        var e = JobDecisions.Handle(job, Apply("paul"));

        Assert.Equal(ApplicationStatus.Applied, job!.Apply(e).Participant("paul")!.Status);
    }

    [Fact]
    public void GivenAppliedParticipant_WhenApplyingAgain_ThenAlreadyAppliedIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul")), Apply("paul")), ErrorCodes.AlreadyApplied);
    }

    [Fact]
    public void GivenOpenJob_WhenTheOwnerApplies_ThenOwnerCannotParticipate()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted), Apply("olivia")), ErrorCodes.OwnerCannotParticipate);
    }

    [Fact]
    public void GivenOpenJob_WhenApplyingWithTooLongCoverNote_ThenCoverNoteIsRejected()
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(Posted), Apply("paul", new string('n', Guard.MaxTextLength + 1))), "cover note");
    }

    [Fact]
    public void GivenCompletedJob_WhenApplying_ThenJobNotOpenIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched, Completed), Apply("quinn")), ErrorCodes.JobNotOpen);
    }

    [Fact]
    public void GivenNoJob_WhenApplying_ThenJobNotFoundIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(), Apply("paul")), ErrorCodes.NotFound);
    }

    // AcceptParticipant

    [Fact]
    public void GivenApplicant_WhenAccepting_ThenParticipantAcceptedUsesTheStoredName()
    {
        var e = JobDecisions.Handle(GivenJob(Posted, Applied("paul")), Accept(" PAUL "));

        Assert.Equal(new ParticipantAccepted(JobId, "paul", "olivia", Now), e);
    }

    [Fact]
    public void GivenStranger_WhenAccepting_ThenNotAParticipantIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul")), Accept("quinn")), ErrorCodes.NotAParticipant);
    }

    [Fact]
    public void GivenAcceptedParticipant_WhenAcceptingAgain_ThenAlreadyAcceptedIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul")), Accept("paul")), "already-accepted");
    }

    [Fact]
    public void GivenCancelledJob_WhenAccepting_ThenJobNotOpenIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Cancelled), Accept("paul")), ErrorCodes.JobNotOpen);
    }

    [Fact]
    public void GivenNoJob_WhenAccepting_ThenJobNotFoundIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(), Accept("paul")), ErrorCodes.NotFound);
    }

    // LaunchJob

    [Fact]
    public void GivenAcceptedParticipantAndEnoughCredits_WhenLaunching_ThenJobLaunchedAndJobLaunchSpendAreReturned()
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
    public void GivenExactlyTheBudgetInTheWallet_WhenLaunching_ThenTheWalletIsEmptied()
    {
        var (_, spent) = JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul")), OwnerWallet(5), Launch);

        Assert.Equal(0, OwnerWallet(5)!.Apply(spent).Balance);
    }

    [Fact]
    public void GivenBalanceThreeAndBudgetFive_WhenLaunching_ThenNotEnoughCreditsIsRejected()
    {
        var error = ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul")), OwnerWallet(3), Launch), ErrorCodes.InsufficientCredits);

        Assert.Equal("Not enough credits in wallet: balance 3, requested 5", error.Message);
    }

    [Fact]
    public void GivenNoAcceptedParticipant_WhenLaunching_ThenNoAcceptedParticipantIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul")), OwnerWallet(8), Launch), ErrorCodes.NoAcceptedParticipant);
    }

    [Fact]
    public void GivenNeverOpenedOwnerWallet_WhenLaunching_ThenWalletNotFoundIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul")), null, Launch), ErrorCodes.NotFound);
    }

    [Fact]
    public void GivenAnotherOwnersWallet_WhenLaunching_ThenTheWalletIsRejected()
    {
        var other = GivenWallet(new WalletOpened(Guid.NewGuid(), "mallory", "alice", Now), new CreditsGranted(Guid.Empty, 50, GrantTypes.Manual, null, "alice", Now, "x"));

        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul")), other, Launch), ErrorCodes.WrongWallet);
    }

    [Fact]
    public void GivenLaunchedJob_WhenLaunchingAgain_ThenJobNotOpenIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched), OwnerWallet(50), Launch), ErrorCodes.JobNotOpen);
    }

    [Fact]
    public void GivenNoJob_WhenLaunching_ThenJobNotFoundIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(), OwnerWallet(50), Launch), ErrorCodes.NotFound);
    }

    // CompleteJob

    [Fact]
    public void GivenLaunchedJob_WhenCompleting_ThenJobCompletedNamesTheParticipants()
    {
        var e = JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched), Complete);

        Assert.Equal((JobId, "olivia", Now), (e.JobId, e.CompletedBy, e.CompletedAt));
        Assert.Equal(["paul"], e.Participants);
    }

    [Fact]
    public void GivenOpenJob_WhenCompleting_ThenNotLaunchedIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted), Complete), ErrorCodes.NotLaunched);
    }

    [Fact]
    public void GivenCompletedJob_WhenCompletingAgain_ThenNotLaunchedIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched, Completed), Complete), ErrorCodes.NotLaunched);
    }

    [Fact]
    public void GivenNoJob_WhenCompleting_ThenJobNotFoundIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(), Complete), ErrorCodes.NotFound);
    }

    // CancelJob

    [Fact]
    public void GivenOpenJob_WhenCancelling_ThenJobCancelledWithoutRefund()
    {
        var (cancelled, refund) = JobDecisions.Handle(GivenJob(Posted, Applied("paul")), Cancel(" changed my mind "));

        Assert.Equal((0, "changed my mind", "sam", Now), (cancelled.CreditsRefunded, cancelled.Reason, cancelled.CancelledBy, cancelled.CancelledAt));
        Assert.Equal(["paul"], cancelled.Participants);
        Assert.Null(refund);
    }

    [Fact]
    public void GivenLaunchedJob_WhenCancelling_ThenTheLaunchSpendIsRefundedWithTheJobId()
    {
        var (cancelled, refund) = JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched), Cancel());

        Assert.Equal(5, cancelled.CreditsRefunded);
        Assert.NotNull(refund);
        Assert.Equal((WalletId, 5, GrantTypes.Refund, JobId, "sam", Now), (refund.WalletId, refund.Amount, refund.Type, refund.TypeMetadata!.JobId!.Value, refund.GrantedBy, refund.GrantedAt));
        Assert.Contains("changed my mind", refund.Reason);
    }

    [Fact]
    public void GivenLaunchedJob_WhenCancellingWithTheLongestReason_ThenTheRefundReasonStillFitsTheWalletLimit()
    {
        var (cancelled, refund) = JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched), Cancel(new string('r', Guard.MaxTextLength)));

        Assert.Equal(Guard.MaxTextLength, cancelled.Reason.Length);
        Assert.Equal("Refund for cancelled job \"Logo design\"", refund!.Reason);
    }

    [Fact]
    public void GivenCompletedJob_WhenCancelling_ThenJobClosedIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Applied("paul"), Accepted("paul"), Launched, Completed), Cancel()), ErrorCodes.JobClosed);
    }

    [Fact]
    public void GivenCancelledJob_WhenCancellingAgain_ThenJobClosedIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(Posted, Cancelled), Cancel()), ErrorCodes.JobClosed);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void GivenOpenJob_WhenCancellingWithoutReason_ThenReasonIsRequired(string? reason)
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(Posted), Cancel(reason!)), "reason");
    }

    [Fact]
    public void GivenOpenJob_WhenCancellingWithTooLongReason_ThenReasonIsRejected()
    {
        ThenInvalid(() => JobDecisions.Handle(GivenJob(Posted), Cancel(new string('r', Guard.MaxTextLength + 1))), "reason");
    }

    [Fact]
    public void GivenNoJob_WhenCancelling_ThenJobNotFoundIsRejected()
    {
        ThenRejected(() => JobDecisions.Handle(GivenJob(), Cancel()), ErrorCodes.NotFound);
    }
}
