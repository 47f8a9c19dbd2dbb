namespace AuditPortal.IntegrationTests.Authorization;

/// <summary>
/// Every command of every service, called directly (not through the UI), by each kind of actor: anonymous,
/// support, auditor, admin, and an admin whose permissions were revoked after they "signed in".
/// </summary>
public class CommandAuthorizationMatrixTests(PortalHostFixture fixture, ITestOutputHelper output) : IClassFixture<PortalHostFixture>
{
    private sealed record Cell(string Actor, string Command, bool Allowed, CommandResult Result);

    private delegate Task<CommandResult> Command(Actor actor, Guid commandId);

    [Fact]
    public async Task Given_each_persona_When_each_command_is_issued_Then_only_permitted_commands_pass_the_ACL_and_every_refusal_is_logged()
    {
        await fixture.GrantMatrixPersonasAsync("m");
        // dave "signs in" (his actor exists) and is then revoked: the next command must see it.
        var dave = PortalHostFixture.Actor("m-dave");
        await fixture.RevokeAdminAsync("m-dave");

        var actors = new (Actor Actor, Permission[] Holds)[]
        {
            (new Actor("", Guid.CreateVersion7().ToString()), []),
            (PortalHostFixture.Actor("m-alice"), Personas.Support),
            (PortalHostFixture.Actor("m-carol"), Personas.Auditor),
            (PortalHostFixture.Actor("m-admin"), Personas.Admin),
            (dave, []),
        };

        var cells = new List<Cell>();
        foreach (var (actor, holds) in actors)
        {
            foreach (var (name, permission, command) in await CommandsAsync())
            {
                var allowed = holds.Contains(permission);
                cells.Add(new Cell(actor.UserName.Length == 0 ? "anonymous" : actor.UserName, name, allowed, await command(actor, Guid.CreateVersion7())));
            }
        }

        var mismatches = cells.Where(c => c.Allowed == (c.Result.Status == CommandStatus.Forbidden)).ToList();
        foreach (var m in mismatches)
            output.WriteLine($"MISMATCH {m.Actor} {m.Command}: expected {(m.Allowed ? "allowed" : "Forbidden")}, got {m.Result.Status} ({m.Result.Message})");
        output.WriteLine($"{cells.Count} cells, {mismatches.Count} mismatches");
        Assert.Equal(5 * 17, cells.Count);
        Assert.Empty(mismatches);
        // Allowed cells are not merely "not forbidden": the admin's and support's commands went through.
        Assert.All(cells.Where(c => c.Allowed && c.Command.StartsWith("Wallet", StringComparison.Ordinal)), c => Assert.Equal(CommandStatus.Accepted, c.Result.Status));

        // Each refusal of a named user is an event on that user's access log, committed although the command was not.
        await using var query = fixture.Store.QuerySession();
        foreach (var user in new[] { "m-alice", "m-carol", "m-dave" })
        {
            var expected = cells.Where(c => c.Actor == user && !c.Allowed).Select(c => c.Command).Order().ToList();
            var events = await query.Events.FetchStreamAsync(AccessLog.StreamIdFor(user));
            var denied = events.Select(e => Assert.IsType<CommandDenied>(e.Data)).ToList();
            Assert.Equal(expected.Count, denied.Count);
            Assert.All(denied, d => Assert.Equal(user, d.UserName));
            Assert.All(events, e => Assert.Equal(user, e.UserName));
        }
        Assert.Empty(await query.Events.FetchStreamAsync(AccessLog.StreamIdFor("m-admin")));
    }

    [Fact]
    public async Task Given_a_revoked_admin_When_they_grant_on_the_portal_ACL_Then_it_is_refused_and_the_refusal_names_the_missing_permission()
    {
        await fixture.GrantPersonaAsync("r-erin", Personas.Admin);
        var erin = PortalHostFixture.Actor("r-erin");
        var acl = fixture.Get<AccessControlService>();
        Assert.True((await acl.GrantAsync(erin, Guid.CreateVersion7(), Resources.PortalAclId, "r-frank", Permission.ReadWallets, "before", null)).Succeeded);

        await acl.RevokeAsync(PortalHostFixture.Actor(PortalHostFixture.Admin), Guid.CreateVersion7(), Resources.PortalAclId, "r-erin", Permission.EditAccessControl, "revoked", null);
        var commandId = Guid.CreateVersion7();
        var refused = await acl.GrantAsync(erin, commandId, Resources.PortalAclId, "r-frank", Permission.ReadJobs, "after", null);

        Assert.Equal(CommandStatus.Forbidden, refused.Status);
        await using var query = fixture.Store.QuerySession();
        var portal = await query.LoadAsync<AccessControlListView>(Resources.PortalAclId);
        Assert.False(portal!.Has("r-frank", Permission.ReadJobs));
        var events = await query.Events.FetchStreamAsync(AccessLog.StreamIdFor("r-erin"));
        var denied = Assert.IsType<CommandDenied>(Assert.Single(events).Data);
        // erin brings no operation of her own: the refusal is the operation her command id starts.
        Assert.Equal(("r-erin", nameof(GrantPermission), commandId, Permission.EditAccessControl, commandId.ToString()),
            (denied.UserName, denied.CommandType, denied.CommandId, denied.MissingPermission, denied.CorrelationId));
        Assert.Equal("AccessLog", (await query.Events.FetchStreamStateAsync(AccessLog.StreamIdFor("r-erin")))!.AggregateType?.Name);
    }

    [Fact]
    public async Task Given_a_user_refused_twice_at_once_When_both_refusals_are_recorded_Then_the_access_log_has_both()
    {
        var actor = PortalHostFixture.Actor("c-nobody");
        var wallets = fixture.Get<WalletService>();
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => wallets.GrantAsync(actor, Guid.CreateVersion7(), Guid.CreateVersion7(), 1, "x", null)));

        Assert.All(results, r => Assert.Equal(CommandStatus.Forbidden, r.Status));
        await using var query = fixture.Store.QuerySession();
        Assert.Equal(4, (await query.Events.FetchStreamAsync(AccessLog.StreamIdFor("c-nobody"))).Count);
    }

    [Fact]
    public async Task Given_a_refusal_recorded_by_one_process_When_a_fresh_store_reads_the_access_log_Then_the_event_is_a_typed_CommandDenied()
    {
        await fixture.Get<WalletService>().GrantAsync(PortalHostFixture.Actor("f-nobody"), Guid.CreateVersion7(), Guid.CreateVersion7(), 1, "x", null);

        // A second store, as another portal node or the audit explorer after a restart would have it.
        var options = new StoreOptions();
        AuditPortal.Core.Store.PortalStore.Configure(options, fixture.ConnectionString, new AuditPortal.Core.Store.PortalStoreSettings());
        await using var store = new DocumentStore(options);
        await using var query = store.QuerySession();
        var events = await query.Events.FetchStreamAsync(AccessLog.StreamIdFor("f-nobody"));

        Assert.Equal("f-nobody", Assert.IsType<CommandDenied>(Assert.Single(events).Data).UserName);
    }

    [Fact]
    public async Task Given_a_command_without_a_permission_When_a_person_issues_it_Then_only_a_system_actor_may()
    {
        var executor = fixture.Get<CommandExecutor>();
        var bodyRan = 0;
        Task<CommandResult> Body(Marten.IDocumentSession _) { bodyRan++; return Task.FromResult(CommandResult.Accepted(Guid.CreateVersion7(), 1, "ran")); }

        var person = await executor.ExecuteAsync(PortalHostFixture.Actor(PortalHostFixture.Admin), null, Guid.CreateVersion7(), "SystemTask", Body);
        var system = await executor.ExecuteAsync(Actor.System("test"), null, Guid.CreateVersion7(), "SystemTask", Body);

        Assert.Equal((CommandStatus.Forbidden, CommandStatus.Accepted, 1), (person.Status, system.Status, bodyRan));
    }

    /// <summary>The 17 commands, each on fresh streams prepared by the root admin so a permitted actor can succeed.</summary>
    private async Task<List<(string Name, Permission Permission, Command Run)>> CommandsAsync()
    {
        var root = PortalHostFixture.Actor(PortalHostFixture.Admin);
        var wallets = fixture.Get<WalletService>();
        var jobs = fixture.Get<JobService>();
        var acl = fixture.Get<AccessControlService>();
        var approvals = fixture.Get<ApprovalService>();

        var walletId = Guid.CreateVersion7();
        Assert.True((await wallets.OpenAsync(root, Guid.CreateVersion7(), walletId, "owner-" + walletId)).Succeeded);
        Assert.True((await wallets.GrantAsync(root, Guid.CreateVersion7(), walletId, 500, "float", null)).Succeeded);
        var aclId = Guid.CreateVersion7();
        Assert.True((await acl.CreateAsync(root, Guid.CreateVersion7(), aclId, Resources.Wallet(walletId), "matrix")).Succeeded);
        Guid NewJob() => Guid.CreateVersion7();
        var jobId = NewJob();
        Assert.True((await jobs.PostAsync(root, Guid.CreateVersion7(), jobId, "owner", walletId, "Matrix job", "d", 10)).Succeeded);

        // A pending request of the root admin's for each approval command (approving someone else's is the allowed case).
        async Task<Guid> NewRequestAsync()
        {
            var asked = await approvals.RequestAsync(root, Guid.CreateVersion7(), ApprovalTarget.Grant(walletId, 5000), "matrix");
            Assert.True(asked.Succeeded, asked.Message);
            return asked.StreamId!.Value;
        }

        return
        [
            ("Wallet.Open", Permission.GrantCredits, (a, id) => wallets.OpenAsync(a, id, Guid.CreateVersion7(), "w")),
            ("Wallet.Grant", Permission.GrantCredits, (a, id) => wallets.GrantAsync(a, id, walletId, 1, "matrix", null)),
            ("Wallet.Spend", Permission.SpendCredits, (a, id) => wallets.SpendAsync(a, id, walletId, 1, "matrix", null)),
            ("Job.Post", Permission.SpendCredits, (a, id) => jobs.PostAsync(a, id, NewJob(), "owner", walletId, "t", "d", 5)),
            ("Job.Invite", Permission.SpendCredits, (a, id) => jobs.InviteAsync(a, id, jobId, "p-" + id)),
            ("Job.Apply", Permission.SpendCredits, (a, id) => jobs.ApplyAsync(a, id, jobId, "q-" + id, "note")),
            ("Job.Accept", Permission.SpendCredits, (a, id) => jobs.AcceptAsync(a, id, jobId, "nobody")),
            ("Job.Launch", Permission.SpendCredits, (a, id) => jobs.LaunchAsync(a, id, jobId)),
            ("Job.Complete", Permission.SpendCredits, (a, id) => jobs.CompleteAsync(a, id, jobId)),
            ("Job.Cancel", Permission.SpendCredits, (a, id) => jobs.CancelAsync(a, id, jobId, "matrix")),
            ("Acl.Create", Permission.EditAccessControl, (a, id) => acl.CreateAsync(a, id, Guid.CreateVersion7(), "wallet:" + Guid.CreateVersion7(), "matrix")),
            ("Acl.Grant", Permission.EditAccessControl, (a, id) => acl.GrantAsync(a, id, aclId, "g-" + id, Permission.ReadWallets, "matrix", null)),
            ("Acl.Revoke", Permission.EditAccessControl, (a, id) => acl.RevokeAsync(a, id, aclId, "nobody", Permission.ReadWallets, "matrix", null)),
            ("Approval.Request", Permission.GrantCredits, (a, id) => approvals.RequestAsync(a, id, ApprovalTarget.Grant(walletId, 5000), "matrix")),
            ("Approval.Approve", Permission.ApproveChanges, async (a, id) => await approvals.ApproveAsync(a, id, await NewRequestAsync(), "", null)),
            ("Approval.Reject", Permission.ApproveChanges, async (a, id) => await approvals.RejectAsync(a, id, await NewRequestAsync(), "matrix", null)),
            // Only the requester may withdraw, but the permission is checked first: the one the change itself needs.
            ("Approval.Withdraw", Permission.GrantCredits, async (a, id) => await approvals.WithdrawAsync(a, id, await NewRequestAsync(), "", null)),
        ];
    }
}
