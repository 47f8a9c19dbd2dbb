namespace AuditPortal.IntegrationTests.Audit;

/// <summary>
/// "The whole operation": every event of one correlation id, across streams, as commands (causation ids) and the
/// events they caused, read through the feed (ReadAudit) from Marten's own metadata. An operation is one user action:
/// the actors here are made as a browser tab's (<see cref="PortalHostFixture.Actor"/>: no correlation of their own),
/// so an operation's id is the id of the command that started it.
/// </summary>
public class AuditOperationTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>, IAsyncLifetime
{
    private AuditFeed Feed => new(fixture.Store, new FixedActor(PortalHostFixture.Actor(PortalHostFixture.Admin)));

    public async Task InitializeAsync() => await fixture.GrantPersonaAsync("alice", Personas.Support);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Given_two_grants_from_the_same_tab_When_their_operations_are_read_Then_they_are_two_operations_of_one_command_each()
    {
        var walletId = await fixture.SupportWalletAsync(0, owner: "tina");
        var alice = PortalHostFixture.Actor("alice");
        var wallets = fixture.Get<WalletService>();
        var first = Guid.CreateVersion7();
        var second = Guid.CreateVersion7();

        Assert.True((await wallets.GrantAsync(alice, first, walletId, 5, "goodwill", null)).Succeeded);
        Assert.True((await wallets.GrantAsync(alice, second, walletId, 7, "outage", null)).Succeeded);
        var one = await Feed.OperationAsync(first.ToString());
        var two = await Feed.OperationAsync(second.ToString());

        foreach (var (operation, commandId, amount) in new[] { (one, first, 5), (two, second, 7) })
        {
            var command = Assert.Single(operation.Commands);
            Assert.Equal((commandId.ToString(), "GrantCredits", CommandOutcome.Accepted), (command.CommandId, command.CommandType, command.Outcome));
            var granted = Assert.Single(command.Events);
            Assert.Equal((AuditTypeNames.CreditsGranted, walletId), (granted.Entry.EventType, granted.Entry.StreamId));
            Assert.Contains($"{amount} credits", granted.Entry.Summary);
        }
    }

    [Fact]
    public async Task Given_a_job_launch_When_its_operation_is_read_Then_the_launch_and_the_wallet_spend_show_under_the_one_command_that_started_it()
    {
        var jobs = fixture.Get<JobService>();
        // One tab does it all: the set-up commands before the launch are operations of their own.
        var alice = PortalHostFixture.Actor("alice");
        var walletId = await fixture.SupportWalletAsync(8, owner: "olivia");
        var jobId = Guid.CreateVersion7();
        Assert.True((await jobs.PostAsync(alice, Guid.CreateVersion7(), jobId, "olivia", walletId, "Logo", "A logo", 5)).Succeeded);
        Assert.True((await jobs.ApplyAsync(alice, Guid.CreateVersion7(), jobId, "paul", "I design logos")).Succeeded);
        Assert.True((await jobs.AcceptAsync(alice, Guid.CreateVersion7(), jobId, "paul")).Succeeded);
        var commandId = Guid.CreateVersion7();

        Assert.True((await jobs.LaunchAsync(alice, commandId, jobId)).Succeeded);
        var operation = await Feed.OperationAsync(commandId.ToString());

        Assert.Equal(2, operation.EventCount);
        Assert.False(operation.Truncated);
        var command = Assert.Single(operation.Commands);
        Assert.Same(command, operation.StartedBy);
        Assert.Equal((commandId.ToString(), nameof(LaunchJob), "alice", CommandOutcome.Accepted), (command.CommandId, command.CommandType, command.IssuedBy, command.Outcome));
        Assert.Equal([(AuditTypeNames.JobLaunched, jobId), (AuditTypeNames.CreditsSpent, walletId)],
            command.Events.Select(e => (e.Entry.EventType, e.Entry.StreamId)));
        // The explorer's correlation and command filters find the same two events (newest first).
        var byCorrelation = await Feed.QueryAsync(new AuditFilter { Correlation = commandId.ToString() });
        var byCommand = await Feed.QueryAsync(new AuditFilter { Command = commandId.ToString() });
        Assert.Equal([AuditTypeNames.CreditsSpent, AuditTypeNames.JobLaunched], byCorrelation.Entries.Select(e => e.EventType));
        Assert.Equal([AuditTypeNames.CreditsSpent, AuditTypeNames.JobLaunched], byCommand.Entries.Select(e => e.EventType));
    }

    [Fact]
    public async Task Given_a_denied_command_retried_after_a_grant_When_its_operation_is_read_Then_it_is_one_operation_refused_then_accepted()
    {
        var walletId = await fixture.SupportWalletAsync(0, owner: "dana");
        var bob = PortalHostFixture.Actor("bob-" + Guid.CreateVersion7().ToString("N")[..8]);
        var commandId = Guid.CreateVersion7();
        var wallets = fixture.Get<WalletService>();

        Assert.Equal(CommandStatus.Forbidden, (await wallets.GrantAsync(bob, commandId, walletId, 5, "goodwill", null)).Status);
        await fixture.GrantPersonaAsync(bob.UserName, Personas.Support);
        Assert.True((await wallets.GrantAsync(bob, commandId, walletId, 5, "goodwill", null)).Succeeded);
        var operation = await Feed.OperationAsync(commandId.ToString());

        // The refusal and the retry are one operation: the command id is its correlation both times.
        Assert.Equal(2, operation.EventCount);
        var command = Assert.Single(operation.Commands);
        Assert.Equal((commandId.ToString(), "GrantCredits", CommandOutcome.RefusedThenAccepted), (command.CommandId, command.CommandType, command.Outcome));
        // The refusal on bob's access log, the change on the wallet: two streams, one command.
        Assert.Equal([(AuditTypeNames.CommandDenied, AccessLog.StreamIdFor(bob.UserName)), (AuditTypeNames.CreditsGranted, walletId)],
            command.Events.Select(e => (e.Entry.EventType, e.Entry.StreamId)));
    }

    [Fact]
    public async Task Given_an_export_When_its_operation_is_read_Then_start_and_end_are_one_command()
    {
        var exports = new AuditExports(fixture.Get<CommandExecutor>(), TimeProvider.System);
        // The download endpoint's actor continues its HTTP request's operation (http.TraceIdentifier).
        var auditor = new Actor(PortalHostFixture.Admin, "op-" + Guid.CreateVersion7());
        var exportId = Guid.CreateVersion7();

        Assert.True((await exports.StartAsync(auditor, exportId, AuditFilter.None, AuditExport.Csv, 10)).Succeeded);
        Assert.True((await exports.CompleteAsync(auditor, exportId, 3, false, false)).Succeeded);
        var operation = await Feed.OperationAsync(auditor.CorrelationId);

        var command = Assert.Single(operation.Commands);
        Assert.Equal(exportId.ToString(), command.CommandId);
        Assert.Equal([AuditTypeNames.AuditExportStarted, AuditTypeNames.AuditExportCompleted], command.Events.Select(e => e.Entry.EventType));
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
