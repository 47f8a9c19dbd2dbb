namespace AuditPortal.IntegrationTests.Jobs;

public class JobTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>, IAsyncLifetime
{
    private JobService Jobs => fixture.Get<JobService>();
    private WalletService Wallets => fixture.Get<WalletService>();
    private static Actor Alice => PortalHostFixture.Actor("alice");

    public async Task InitializeAsync() => await fixture.GrantPersonaAsync("alice", Personas.Support);

    private Task<Guid> WalletWithAsync(int credits) => fixture.SupportWalletAsync(credits, owner: "olivia");

    public Task DisposeAsync() => Task.CompletedTask;

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

    [Fact]
    public async Task Given_a_ready_job_When_launched_Then_job_launched_and_a_job_launch_spend_with_the_job_id_commit_together()
    {
        var walletId = await WalletWithAsync(8);
        var jobId = await ReadyJobAsync(walletId);

        var result = await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), jobId, 4);

        Assert.Equal((CommandStatus.Accepted, 5L), (result.Status, result.Version!.Value));
        var launched = Assert.IsType<JobLaunched>((await fixture.EventsAsync(jobId))[^1].Data);
        Assert.Equal(["quinn", "paul"], launched.Participants);
        var wallet = await fixture.EventsAsync(walletId);
        var spent = Assert.IsType<CreditsSpent>(wallet[^1].Data);
        Assert.Equal((5, SpendTypes.JobLaunch, jobId), (spent.Amount, spent.Type, spent.TypeMetadata!.JobId!.Value));
        Assert.Equal(wallet[^1].CausationId, (await fixture.EventsAsync(jobId))[^1].CausationId);
    }

    [Fact]
    public async Task Given_too_few_credits_When_launching_Then_rejected_and_neither_the_job_nor_the_wallet_stream_changes()
    {
        var walletId = await WalletWithAsync(3);
        var jobId = await ReadyJobAsync(walletId);

        var result = await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), jobId);

        Assert.Equal((CommandStatus.Rejected, "Not enough credits in wallet: balance 3, requested 5"), (result.Status, result.Message));
        Assert.Equal(4, (await fixture.EventsAsync(jobId)).Count);
        Assert.Equal(2, (await fixture.EventsAsync(walletId)).Count);
        await using var query = fixture.Store.QuerySession();
        Assert.Equal(0, await query.Events.QueryAllRawEvents().CountAsync(e => e.StreamId == jobId && e.EventTypeName == "job_launched"));
    }

    [Fact]
    public async Task Given_a_stale_job_version_When_launching_Then_conflict_and_the_wallet_is_not_charged()
    {
        var walletId = await WalletWithAsync(8);
        var jobId = await ReadyJobAsync(walletId);

        var result = await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), jobId, 3);

        Assert.Equal(CommandStatus.Conflict, result.Status);
        Assert.Equal(4, (await fixture.EventsAsync(jobId)).Count);
        Assert.Equal(2, (await fixture.EventsAsync(walletId)).Count);
    }

    [Fact]
    public async Task Given_a_launched_job_When_cancelled_Then_the_owners_wallet_gets_a_refund_with_the_job_id()
    {
        var walletId = await WalletWithAsync(8);
        var jobId = await ReadyJobAsync(walletId);
        Assert.True((await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), jobId)).Succeeded);

        var result = await Jobs.CancelAsync(Alice, Guid.CreateVersion7(), jobId, "client went bankrupt", 5);

        Assert.Equal((CommandStatus.Accepted, 6L), (result.Status, result.Version!.Value));
        var wallet = await fixture.EventsAsync(walletId);
        var refund = Assert.IsType<CreditsGranted>(wallet[^1].Data);
        Assert.Equal((5, GrantTypes.Refund, jobId), (refund.Amount, refund.Type, refund.TypeMetadata!.JobId!.Value));
        Assert.Equal(8, WalletHistory.Replay(wallet.Select(e => e.Data))!.Balance);
    }

    [Fact]
    public async Task Given_a_closed_job_When_cancelling_again_Then_rejected_and_no_second_refund()
    {
        var walletId = await WalletWithAsync(8);
        var jobId = await ReadyJobAsync(walletId);
        Assert.True((await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), jobId)).Succeeded);
        Assert.True((await Jobs.CancelAsync(Alice, Guid.CreateVersion7(), jobId, "first", null)).Succeeded);

        var again = await Jobs.CancelAsync(Alice, Guid.CreateVersion7(), jobId, "second", null);

        Assert.Equal((CommandStatus.Rejected, ErrorCodes.JobClosed), (again.Status, again.ErrorCode));
        Assert.Single(await fixture.EventsAsync(walletId), e => e.Data is CreditsGranted { Type: GrantTypes.Refund });
    }

    [Fact]
    public async Task Given_a_jobs_lifecycle_When_the_daemon_catches_up_Then_the_owner_view_and_each_participant_view_are_built()
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

        var refunds = (await Sql.TransactionsAsync(fixture.ConnectionString, walletId)).Where(t => t.JobId == cancelledId).ToList();
        Assert.Equal([(TransactionKind.Spend, SpendTypes.JobLaunch), (TransactionKind.Grant, GrantTypes.Refund)], refunds.Select(t => (t.Kind, t.Type)));
    }

    [Fact]
    public async Task Given_participant_views_When_inspecting_the_type_and_the_stored_json_Then_no_owner_only_fact_is_there()
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
    public async Task Given_a_never_opened_wallet_When_posting_a_job_Then_rejected_and_no_job_stream()
    {
        var jobId = Guid.CreateVersion7();

        var result = await Jobs.PostAsync(Alice, Guid.CreateVersion7(), jobId, "olivia", Guid.CreateVersion7(), "Logo design", "", 5);

        Assert.Equal((CommandStatus.Rejected, ErrorCodes.NotFound), (result.Status, result.ErrorCode));
        Assert.Contains("Wallet", result.Message);
        Assert.Empty(await fixture.EventsAsync(jobId));
    }

    [Fact]
    public async Task Given_a_job_that_was_never_posted_When_acting_on_it_Then_not_found_and_no_stream()
    {
        var jobId = Guid.CreateVersion7();

        var apply = await Jobs.ApplyAsync(Alice, Guid.CreateVersion7(), jobId, "paul", "hello");
        var launch = await Jobs.LaunchAsync(Alice, Guid.CreateVersion7(), jobId, 2);

        Assert.Equal([(CommandStatus.Rejected, ErrorCodes.NotFound), (CommandStatus.Rejected, ErrorCodes.NotFound)], new[] { (apply.Status, apply.ErrorCode), (launch.Status, launch.ErrorCode) });
        Assert.Empty(await fixture.EventsAsync(jobId));
    }
}
