using AuditPortal.Core.Audit;
using AuditPortal.Core.Jobs;

namespace AuditPortal.IntegrationTests.Audit;

/// <summary>
/// "The whole operation": every event of one correlation id, across streams, as commands (causation ids) and the
/// events they caused, read through the feed (ReadAudit) from Marten's own metadata.
/// </summary>
public class AuditOperationTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>, IAsyncLifetime
{
    private AuditFeed Feed => new(fixture.Store, new FixedActor(PortalHostFixture.Actor(PortalHostFixture.Admin)));

    public async Task InitializeAsync() => await fixture.GrantPersonaAsync("alice", Personas.Support);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Given_a_job_launch_When_its_operation_is_read_Then_the_launch_and_the_wallet_spend_show_under_the_one_command_that_started_it()
    {
        var jobs = fixture.Get<JobService>();
        var setup = PortalHostFixture.Actor("alice");
        var walletId = await fixture.SupportWalletAsync(8, owner: "olivia");
        var jobId = Guid.CreateVersion7();
        Assert.True((await jobs.PostAsync(setup, Guid.CreateVersion7(), jobId, "olivia", walletId, "Logo", "A logo", 5)).Succeeded);
        Assert.True((await jobs.ApplyAsync(setup, Guid.CreateVersion7(), jobId, "paul", "I design logos")).Succeeded);
        Assert.True((await jobs.AcceptAsync(setup, Guid.CreateVersion7(), jobId, "paul")).Succeeded);
        var launch = new Actor("alice", "op-" + Guid.CreateVersion7());
        var commandId = Guid.CreateVersion7();

        Assert.True((await jobs.LaunchAsync(launch, commandId, jobId)).Succeeded);
        var operation = await Feed.OperationAsync(launch.CorrelationId);

        Assert.Equal(2, operation.EventCount);
        Assert.False(operation.Truncated);
        var command = Assert.Single(operation.Commands);
        Assert.Same(command, operation.StartedBy);
        Assert.Equal((commandId.ToString(), nameof(LaunchJob), "alice", CommandOutcome.Accepted), (command.CommandId, command.CommandType, command.IssuedBy, command.Outcome));
        Assert.Equal([(AuditEventTypes.JobLaunched, jobId), (AuditEventTypes.CreditsSpent, walletId)],
            command.Events.Select(e => (e.Entry.EventType, e.Entry.StreamId)));
        // The explorer's command filter finds the same two events (newest first).
        var byCommand = await Feed.QueryAsync(new AuditFilter { Command = commandId.ToString() });
        Assert.Equal([AuditEventTypes.CreditsSpent, AuditEventTypes.JobLaunched], byCommand.Entries.Select(e => e.EventType));
    }

    [Fact]
    public async Task Given_a_denied_command_retried_after_a_grant_When_its_operation_is_read_Then_the_refusal_and_the_change_show_under_one_command()
    {
        var walletId = await fixture.SupportWalletAsync(0, owner: "dana");
        var bob = new Actor("bob-" + Guid.CreateVersion7().ToString("N")[..8], "op-" + Guid.CreateVersion7());
        var commandId = Guid.CreateVersion7();
        var wallets = fixture.Get<WalletService>();

        Assert.Equal(CommandStatus.Forbidden, (await wallets.GrantAsync(bob, commandId, walletId, 5, "goodwill", null)).Status);
        await fixture.GrantPersonaAsync(bob.UserName, Personas.Support);
        Assert.True((await wallets.GrantAsync(bob, commandId, walletId, 5, "goodwill", null)).Succeeded);
        var operation = await Feed.OperationAsync(bob.CorrelationId);

        var command = Assert.Single(operation.Commands);
        Assert.Equal((commandId.ToString(), "GrantCredits", CommandOutcome.RefusedThenAccepted), (command.CommandId, command.CommandType, command.Outcome));
        // The refusal on bob's access log, the change on the wallet: two streams, one command.
        Assert.Equal([(AuditEventTypes.CommandDenied, AccessLog.StreamIdFor(bob.UserName)), (AuditEventTypes.CreditsGranted, walletId)],
            command.Events.Select(e => (e.Entry.EventType, e.Entry.StreamId)));
    }

    [Fact]
    public async Task Given_an_export_When_its_operation_is_read_Then_start_and_end_are_one_command()
    {
        var exports = new AuditExports(fixture.Get<CommandExecutor>(), TimeProvider.System);
        var auditor = new Actor(PortalHostFixture.Admin, "op-" + Guid.CreateVersion7());
        var exportId = Guid.CreateVersion7();

        Assert.True((await exports.StartAsync(auditor, exportId, AuditFilter.None, AuditExport.Csv, 10)).Succeeded);
        Assert.True((await exports.CompleteAsync(auditor, exportId, 3, false, false)).Succeeded);
        var operation = await Feed.OperationAsync(auditor.CorrelationId);

        var command = Assert.Single(operation.Commands);
        Assert.Equal(exportId.ToString(), command.CommandId);
        Assert.Equal([AuditEventTypes.AuditExportStarted, AuditEventTypes.AuditExportCompleted], command.Events.Select(e => e.Entry.EventType));
    }

    [Fact]
    public async Task Given_support_without_ReadAudit_When_they_open_an_operation_Then_it_is_refused_and_recorded()
    {
        var support = PortalHostFixture.Actor("alice");
        var feed = new AuditFeed(fixture.Store, new FixedActor(support));

        await Assert.ThrowsAsync<AccessDeniedException>(() => feed.OperationAsync("op-anything"));

        await using var query = fixture.Store.QuerySession();
        var refused = await query.Events.QueryRawEventDataOnly<ReadRefused>().Where(e => e.UserName == "alice").ToListAsync();
        Assert.Contains(refused, r => r.Resource == "audit:operation:op-anything" && r.MissingPermission == Permission.ReadAudit);
    }
}
