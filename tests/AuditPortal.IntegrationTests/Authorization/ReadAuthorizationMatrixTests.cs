namespace AuditPortal.IntegrationTests.Authorization;

/// <summary>
/// Every read of the wallet, job, access-control and as-of-state services, called directly (not through a page),
/// by each kind of caller: anonymous, support, auditor, admin, and an admin revoked after "signing in". The services
/// check at the moment they run, so the revoked admin's next read is refused although the caller object is the same.
/// </summary>
public class ReadAuthorizationMatrixTests(PortalHostFixture fixture, ITestOutputHelper output) : IClassFixture<PortalHostFixture>
{
    private delegate Task Read(ICurrentActor caller);

    [Fact]
    public async Task Given_each_caller_When_each_read_runs_Then_only_permitted_reads_return_data_and_a_revoked_admin_is_refused_at_the_next_read()
    {
        await fixture.GrantMatrixPersonasAsync("q");
        var walletId = Guid.CreateVersion7();
        Assert.True((await fixture.Get<WalletService>().OpenAsync(PortalHostFixture.Actor("q-admin"), Guid.CreateVersion7(), walletId, "q-owner")).Succeeded);
        await fixture.WaitForProjectionsAsync();

        var store = fixture.Store;
        var reads = new (string Name, Permission[] AnyOf, Read Run)[]
        {
            ("wallet list", [Permission.ReadWallets], c => new WalletQueries(store, c).ListAsync(new WalletListQuery())),
            ("wallet detail", [Permission.ReadWallets], c => new WalletQueries(store, c).GetAsync(walletId)),
            ("wallet transactions (load more)", [Permission.ReadWallets], c => new WalletQueries(store, c).GetHistoryAsync(walletId, 50)),
            ("job list", [Permission.ReadJobs], c => new JobQueries(store, c).ListAsync(new JobListQuery())),
            ("job detail", [Permission.ReadJobs], c => new JobQueries(store, c).GetAsync(Guid.CreateVersion7())),
            ("job participants", [Permission.ReadJobs], c => new JobQueries(store, c).GetParticipantsAsync(Guid.CreateVersion7())),
            ("job participant view", [Permission.ReadJobs], c => new JobQueries(store, c).GetParticipantAsync(Guid.CreateVersion7(), "x")),
            ("job timeline", [Permission.ReadJobs], c => new JobQueries(store, c).GetTimelineAsync(Guid.CreateVersion7())),
            ("ACL list", [Permission.ReadAudit, Permission.EditAccessControl], c => new AccessControlQueries(store, c).ListAsync()),
            ("ACL detail", [Permission.ReadAudit, Permission.EditAccessControl], c => new AccessControlQueries(store, c).GetAsync(Resources.PortalAclId)),
            ("ACL integrity", [Permission.ReadAudit, Permission.EditAccessControl], c => new AccessControlQueries(store, c).IntegrityProblemAsync()),
            ("access review", [Permission.ReadAudit, Permission.EditAccessControl], c => new AccessControlQueries(store, c).ReviewAsync(new AccessReviewFilter())),
            ("wallet state as of v1", [Permission.ReadAudit, Permission.ReadWallets], c => new StreamStateQueries(store, c).StateAtAsync(walletId, 1)),
            ("ACL state as of v1", [Permission.ReadAudit, Permission.EditAccessControl], c => new StreamStateQueries(store, c).StateAtAsync(Resources.PortalAclId, 1)),
            ("approval requests", [Permission.ApproveChanges, Permission.GrantCredits, Permission.SpendCredits, Permission.EditAccessControl, Permission.ReadAudit],
                c => new ApprovalQueries(store, c).ListAsync(new ApprovalListQuery(ApprovalView.All))),
            ("a wallet's approval requests", [Permission.ReadWallets], c => new ApprovalQueries(store, c).ForTargetAsync(walletId)),
        };

        // dave "opened his pages" with this caller, then lost every permission: the same caller object must be refused.
        var dave = new FixedActor(PortalHostFixture.Actor("q-dave"));
        foreach (var (_, _, run) in reads) await run(dave);
        await fixture.RevokeAdminAsync("q-dave");

        var callers = new (string Name, ICurrentActor Caller, Permission[] Holds)[]
        {
            ("anonymous", new FixedActor(new Actor("", Guid.CreateVersion7().ToString())), []),
            ("support", new FixedActor(PortalHostFixture.Actor("q-alice")), Personas.Support),
            ("auditor", new FixedActor(PortalHostFixture.Actor("q-carol")), Personas.Auditor),
            ("admin", new FixedActor(PortalHostFixture.Actor("q-admin")), Personas.Admin),
            ("revoked admin", dave, []),
        };

        var cells = 0;
        var mismatches = new List<string>();
        foreach (var (callerName, caller, holds) in callers)
        {
            foreach (var (readName, anyOf, run) in reads)
            {
                cells++;
                var allowed = anyOf.Any(holds.Contains);
                Exception? error = null;
                try { await run(caller); } catch (Exception e) { error = e; }
                if (allowed && error is not null) mismatches.Add($"{callerName} {readName}: expected data, got {error.GetType().Name}: {error.Message}");
                if (!allowed && error is not AccessDeniedException) mismatches.Add($"{callerName} {readName}: expected AccessDeniedException, got {error?.GetType().Name ?? "data"}");
                if (!allowed && error is AccessDeniedException denied && !denied.Message.StartsWith("You no longer have access", StringComparison.Ordinal))
                    mismatches.Add($"{callerName} {readName}: message {denied.Message}");
            }
        }
        foreach (var m in mismatches) output.WriteLine("MISMATCH " + m);
        output.WriteLine($"{reads.Length} reads × {callers.Length} callers, {mismatches.Count} mismatches");
        Assert.Equal(16 * 5, cells);
        Assert.Empty(mismatches);
    }

    [Fact]
    public async Task Given_a_user_reading_wallets_When_ReadWallets_is_revoked_Then_the_very_next_read_is_refused()
    {
        await fixture.GrantPersonaAsync("n-erin", Personas.Support);
        var erin = new FixedActor(PortalHostFixture.Actor("n-erin"));
        var reads = new WalletQueries(fixture.Store, erin);
        await reads.ListAsync(new WalletListQuery());

        var revoked = await fixture.Get<AccessControlService>().RevokeAsync(PortalHostFixture.Actor(PortalHostFixture.Admin), Guid.CreateVersion7(),
            Resources.PortalAclId, "n-erin", Permission.ReadWallets, "moved to another team", null);
        Assert.True(revoked.Succeeded, revoked.Message);

        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => reads.ListAsync(new WalletListQuery()));
        Assert.Equal(Permission.ReadWallets, refused.Missing);
        Assert.StartsWith("You no longer have access", refused.Message);
    }
}
