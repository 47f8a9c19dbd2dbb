using System.Text.Json;
using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Common;
using AuditPortal.Core.Jobs;
using AuditPortal.Core.Wallets;
using AuditPortal.IntegrationTests.Infrastructure;
using Marten;

namespace AuditPortal.IntegrationTests.Jobs;

public class JobTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>, IAsyncLifetime
{
    private JobService Jobs => fixture.Get<JobService>();
    private WalletService Wallets => fixture.Get<WalletService>();
    private static Actor Alice => PortalHostFixture.Actor("alice");

    public async Task InitializeAsync() => await fixture.GrantPersonaAsync("alice", Personas.Support);

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<Guid> WalletWithAsync(int credits)
    {
        var walletId = Guid.CreateVersion7();
        Assert.True((await Wallets.OpenAsync(Alice, Guid.CreateVersion7(), walletId, "olivia")).Succeeded);
        if (credits > 0) Assert.True((await Wallets.GrantAsync(Alice, Guid.CreateVersion7(), walletId, credits, "top-up", null)).Succeeded);
        return walletId;
    }

    /// <summary>A job of olivia's with budget 5: quinn invited, paul applied and accepted.</summary>
    private async Task<Guid> ReadyJobAsync(Guid walletId)
    {
        var jobId = Guid.CreateVersion7();
        Assert.True((await Jobs.PostAsync(Alice, Guid.CreateVersion7(), jobId, "olivia", walletId, "Logo design", "A logo for the bakery", 5)).Succeeded);
        Assert.True((await Jobs.InviteAsync(Alice, Guid.CreateVersion7(), jobId, "quinn")).Succeeded);
        Assert.True((await Jobs.ApplyAsync(Alice, Guid.CreateVersion7(), jobId, "paul", "I design logos")).Succeeded);
        Assert.True((await Jobs.AcceptAsync(Alice, Guid.CreateVersion7(), jobId, "paul", 3)).Succeeded);
        return jobId;
    }

    private async Task<IReadOnlyList<JasperFx.Events.IEvent>> StreamAsync(Guid id)
    {
        await using var query = fixture.Store.QuerySession();
        return await query.Events.FetchStreamAsync(id);
    }

    [Fact]
    public async Task GivenAReadyJob_WhenLaunched_ThenJobLaunchedAndAJobLaunchSpendWithTheJobIdCommitTogether()
    {
        var walletId = await WalletWithAsync(8);
        var jobId = await ReadyJobAsync(walletId);

        var result = await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), jobId, 4);

        Assert.Equal((CommandStatus.Accepted, 5L), (result.Status, result.Version!.Value));
        var launched = Assert.IsType<JobLaunched>((await StreamAsync(jobId))[^1].Data);
        Assert.Equal(["quinn", "paul"], launched.Participants);
        var wallet = await StreamAsync(walletId);
        var spent = Assert.IsType<CreditsSpent>(wallet[^1].Data);
        Assert.Equal((5, SpendTypes.JobLaunch, jobId), (spent.Amount, spent.Type, spent.TypeMetadata!.JobId!.Value));
        Assert.Equal(wallet[^1].CausationId, (await StreamAsync(jobId))[^1].CausationId);
    }

    [Fact]
    public async Task GivenTooFewCredits_WhenLaunching_ThenRejectedAndNeitherTheJobNorTheWalletStreamChanges()
    {
        var walletId = await WalletWithAsync(3);
        var jobId = await ReadyJobAsync(walletId);

        var result = await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), jobId);

        Assert.Equal((CommandStatus.Rejected, "Not enough credits in wallet: balance 3, requested 5"), (result.Status, result.Message));
        Assert.Equal(4, (await StreamAsync(jobId)).Count);
        Assert.Equal(2, (await StreamAsync(walletId)).Count);
        await using var query = fixture.Store.QuerySession();
        Assert.Equal(0, await query.Events.QueryAllRawEvents().CountAsync(e => e.StreamId == jobId && e.EventTypeName == "job_launched"));
    }

    [Fact]
    public async Task GivenAStaleJobVersion_WhenLaunching_ThenConflictAndTheWalletIsNotCharged()
    {
        var walletId = await WalletWithAsync(8);
        var jobId = await ReadyJobAsync(walletId);

        var result = await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), jobId, 3);

        Assert.Equal(CommandStatus.Conflict, result.Status);
        Assert.Equal(4, (await StreamAsync(jobId)).Count);
        Assert.Equal(2, (await StreamAsync(walletId)).Count);
    }

    [Fact]
    public async Task GivenALaunchedJob_WhenCancelled_ThenTheOwnersWalletGetsARefundWithTheJobId()
    {
        var walletId = await WalletWithAsync(8);
        var jobId = await ReadyJobAsync(walletId);
        Assert.True((await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), jobId)).Succeeded);

        var result = await Jobs.CancelAsync(Alice, Guid.CreateVersion7(), jobId, "client went bankrupt", 5);

        Assert.Equal((CommandStatus.Accepted, 6L), (result.Status, result.Version!.Value));
        var wallet = await StreamAsync(walletId);
        var refund = Assert.IsType<CreditsGranted>(wallet[^1].Data);
        Assert.Equal((5, GrantTypes.Refund, jobId), (refund.Amount, refund.Type, refund.TypeMetadata!.JobId!.Value));
        Assert.Equal(8, WalletHistory.Replay(wallet.Select(e => e.Data))!.Balance);
    }

    [Fact]
    public async Task GivenAClosedJob_WhenCancellingAgain_ThenRejectedAndNoSecondRefund()
    {
        var walletId = await WalletWithAsync(8);
        var jobId = await ReadyJobAsync(walletId);
        Assert.True((await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), jobId)).Succeeded);
        Assert.True((await Jobs.CancelAsync(Alice, Guid.CreateVersion7(), jobId, "first", null)).Succeeded);

        var again = await Jobs.CancelAsync(Alice, Guid.CreateVersion7(), jobId, "second", null);

        Assert.Equal((CommandStatus.Rejected, ErrorCodes.JobClosed), (again.Status, again.ErrorCode));
        Assert.Single(await StreamAsync(walletId), e => e.Data is CreditsGranted { Type: GrantTypes.Refund });
    }

    [Fact]
    public async Task GivenAJobsLifecycle_WhenTheDaemonCatchesUp_ThenTheOwnerViewAndEachParticipantViewAreBuilt()
    {
        var walletId = await WalletWithAsync(20);
        var jobId = await ReadyJobAsync(walletId);
        Assert.True((await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), jobId)).Succeeded);
        Assert.True((await Jobs.CompleteAsync(Alice, Guid.CreateVersion7(), jobId)).Succeeded);
        var cancelledId = await ReadyJobAsync(walletId);
        Assert.True((await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), cancelledId)).Succeeded);
        Assert.True((await Jobs.CancelAsync(Alice, Guid.CreateVersion7(), cancelledId, "scope changed", null)).Succeeded);

        await fixture.WaitForProjectionsAsync();

        await using var query = fixture.Store.QuerySession();
        var owner = await query.LoadAsync<JobOwnerView>(jobId);
        Assert.NotNull(owner);
        Assert.Equal(("olivia", walletId, "Logo design", "A logo for the bakery", 5, 5, JobStatus.Completed, 6L),
            (owner.Owner, owner.OwnerWalletId, owner.Title, owner.Description, owner.Budget, owner.CreditsSpent, owner.Status, owner.Version));
        Assert.Equal([("quinn", ApplicationStatus.Invited), ("paul", ApplicationStatus.Accepted)], owner.Applicants.Select(a => (a.Name, a.Status)));
        Assert.Equal("I design logos", owner.Applicants[1].CoverNote);

        var cancelled = await query.LoadAsync<JobOwnerView>(cancelledId);
        Assert.Equal((JobStatus.Cancelled, 5, 5, "scope changed"), (cancelled!.Status, cancelled.CreditsSpent, cancelled.CreditsRefunded, cancelled.CancellationReason));

        var paul = await query.LoadAsync<JobParticipantView>(JobParticipantView.Key(jobId, "paul"));
        Assert.Equal((jobId, "paul", "Logo design", JobStatus.Completed, ApplicationStatus.Accepted, "I design logos"),
            (paul!.JobId, paul.Participant, paul.Title, paul.Status, paul.ApplicationStatus, paul.CoverNote));
        var quinn = await query.LoadAsync<JobParticipantView>(JobParticipantView.Key(jobId, "Quinn"));
        Assert.Equal((JobStatus.Completed, ApplicationStatus.Invited), (quinn!.Status, quinn.ApplicationStatus));
        Assert.Equal(JobStatus.Cancelled, (await query.LoadAsync<JobParticipantView>(JobParticipantView.Key(cancelledId, "paul")))!.Status);
        Assert.Equal(2, await query.Query<JobParticipantView>().CountAsync(v => v.JobId == jobId));

        var refunds = await query.Query<WalletTransaction>().Where(t => t.WalletId == walletId && t.JobId == cancelledId).OrderBy(t => t.Version).ToListAsync();
        Assert.Equal([(TransactionKind.Spend, SpendTypes.JobLaunch), (TransactionKind.Grant, GrantTypes.Refund)], refunds.Select(t => (t.Kind, t.Type)));
    }

    [Fact]
    public async Task GivenParticipantViews_WhenInspectingTheTypeAndTheStoredJson_ThenNoOwnerOnlyFactIsThere()
    {
        var allowed = new[] { "Id", "JobId", "Participant", "Title", "Status", "ApplicationStatus", "CoverNote", "LastChangedAt" };
        Assert.Equal(allowed.Order(), typeof(JobParticipantView).GetProperties().Select(p => p.Name).Order());

        var walletId = await WalletWithAsync(20);
        var jobId = await ReadyJobAsync(walletId);
        Assert.True((await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), jobId)).Succeeded);
        await fixture.WaitForProjectionsAsync();

        var documents = await Sql.QueryAsync(fixture.ConnectionString, "select data::text from mt_doc_jobparticipantview where data ->> 'jobId' = @job",
            r => r.GetString(0), ("job", jobId.ToString()));
        Assert.Equal(2, documents.Count);
        foreach (var json in documents)
        {
            using var doc = JsonDocument.Parse(json);
            var keys = doc.RootElement.EnumerateObject().Select(p => p.Name.ToLowerInvariant()).ToList();
            Assert.All(keys, k => Assert.Contains(k, allowed.Select(a => a.ToLowerInvariant())));
            Assert.DoesNotContain(walletId.ToString(), json, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("budget", json, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("credit", json, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("A logo for the bakery", json);
            var me = doc.RootElement.GetProperty("participant").GetString()!;
            var other = me == "paul" ? "quinn" : "paul";
            Assert.DoesNotContain(other, json, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task GivenANeverOpenedWallet_WhenPostingAJob_ThenRejectedAndNoJobStream()
    {
        var jobId = Guid.CreateVersion7();

        var result = await Jobs.PostAsync(Alice, Guid.CreateVersion7(), jobId, "olivia", Guid.CreateVersion7(), "Logo design", "", 5);

        Assert.Equal((CommandStatus.Rejected, ErrorCodes.NotFound), (result.Status, result.ErrorCode));
        Assert.Contains("Wallet", result.Message);
        Assert.Empty(await StreamAsync(jobId));
    }

    [Fact]
    public async Task GivenAJobThatWasNeverPosted_WhenActingOnIt_ThenNotFoundAndNoStream()
    {
        var jobId = Guid.CreateVersion7();

        var apply = await Jobs.ApplyAsync(Alice, Guid.CreateVersion7(), jobId, "paul", "hello");
        var launch = await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), jobId, 2);

        Assert.Equal([(CommandStatus.Rejected, ErrorCodes.NotFound), (CommandStatus.Rejected, ErrorCodes.NotFound)], new[] { (apply.Status, apply.ErrorCode), (launch.Status, launch.ErrorCode) });
        Assert.Empty(await StreamAsync(jobId));
    }
}
