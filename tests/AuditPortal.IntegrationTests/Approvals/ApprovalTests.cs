namespace AuditPortal.IntegrationTests.Approvals;

/// <summary>The portal's host with the default approval policy (grants above 1,000) and a clock the tests move.</summary>
public sealed class ApprovalsFixture : PortalHostFixture
{
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    protected override void Configure(IServiceCollection services)
    {
        services.AddSingleton(new ApprovalPolicy(GrantThreshold: 1000, SpendThreshold: 1000, Expiry: TimeSpan.FromHours(72)));
        services.AddSingleton<TimeProvider>(Clock);
    }

    /// <summary>Grants as the portal itself: admin permissions granted by a person would wait for a second one here.</summary>
    public async Task GrantAsync(string user, params Permission[] permissions)
    {
        foreach (var permission in permissions)
        {
            var result = await Get<AccessControlService>().GrantAsync(Core.Common.Actor.System("test-setup"), Guid.CreateVersion7(), Resources.PortalAclId, user, permission, "test setup", null);
            Assert.True(result.Succeeded || result.ErrorCode == ErrorCodes.AlreadyGranted, result.Message);
        }
    }
}

/// <summary>A clock that stands still until a test moves it (expiry without waiting 72 hours).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

public class ApprovalTests(ApprovalsFixture fixture, ITestOutputHelper output) : IClassFixture<ApprovalsFixture>
{
    private WalletService Wallets => fixture.Get<WalletService>();
    private ApprovalService Approvals => fixture.Get<ApprovalService>();

    /// <summary>Alice asks for a grant above the threshold; Operation is the request's operation (its command id: alice brings none).</summary>
    private async Task<(Guid Wallet, Guid Request, Actor Alice, string Operation)> PendingGrantAsync(string prefix, int balance, int amount)
    {
        await fixture.GrantPersonaAsync($"{prefix}-alice", Personas.Support);
        await fixture.GrantAsync($"{prefix}-sam", [.. Personas.Support, Permission.ApproveChanges]);
        var walletId = await fixture.SupportWalletAsync(balance, owner: $"{prefix}-dana", support: $"{prefix}-alice");
        var alice = PortalHostFixture.Actor($"{prefix}-alice");
        var askId = Guid.CreateVersion7();
        var asked = await Wallets.GrantAsync(alice, askId, walletId, amount, "refund of the outage", null);
        Assert.Equal(CommandStatus.Accepted, asked.Status);
        Assert.Contains("waits for approval", asked.Message);
        return (walletId, asked.StreamId!.Value, alice, askId.ToString());
    }

    private async Task<Wallet> WalletAsync(Guid walletId)
    {
        await using var query = fixture.Store.QuerySession();
        return (await query.Events.AggregateStreamAsync<Wallet>(walletId))!;
    }

    private async Task<ApprovalRequestView> ViewAsync(Guid requestId)
    {
        await using var query = fixture.Store.QuerySession();
        return (await query.LoadAsync<ApprovalRequestView>(requestId))!;
    }

    [Fact]
    public async Task Given_an_approved_grant_When_its_operation_is_read_Then_the_request_starts_it_and_the_approval_and_the_grant_are_one_command()
    {
        var (walletId, requestId, _, operationId) = await PendingGrantAsync("op", balance: 0, amount: 5000);
        var approveId = Guid.CreateVersion7();
        Assert.True((await Approvals.ApproveAsync(PortalHostFixture.Actor("op-sam"), approveId, requestId, "checked", null)).Succeeded);

        var operation = await new AuditFeed(fixture.Store, new FixedActor(PortalHostFixture.Actor(PortalHostFixture.Admin))).OperationAsync(operationId);

        Assert.Equal(["RequestApproval", nameof(ApproveRequest)], operation.Commands.Select(c => c.CommandType));
        Assert.Equal([AuditTypeNames.ApprovalRequested], operation.StartedBy!.Events.Select(e => e.Entry.EventType));
        var approval = operation.Commands[1];
        Assert.Equal((approveId.ToString(), "op-sam"), (approval.CommandId, approval.IssuedBy));
        Assert.Equal([(AuditTypeNames.CreditsGranted, walletId), (AuditTypeNames.RequestApproved, requestId)],
            approval.Events.Select(e => (e.Entry.EventType, e.Entry.StreamId)).OrderBy(e => e.EventType));
    }

    [Fact]
    public async Task Given_a_grant_above_the_threshold_When_alice_asks_and_sam_approves_Then_request_approval_and_grant_share_one_correlation_and_the_balance_moves_once()
    {
        var (walletId, requestId, alice, operationId) = await PendingGrantAsync("a", balance: 100, amount: 5000);
        Assert.Equal(100, (await WalletAsync(walletId)).Balance);

        // Alice is senior support and may approve, but not her own request, under any spelling of her name.
        await fixture.GrantAsync("a-alice", Permission.ApproveChanges);
        var own = await Approvals.ApproveAsync(alice with { UserName = "A-ALICE" }, Guid.CreateVersion7(), requestId, "", 1);
        Assert.Equal((CommandStatus.Rejected, ErrorCodes.OwnRequest), (own.Status, own.ErrorCode));

        var sam = PortalHostFixture.Actor("a-sam");
        var approved = await Approvals.ApproveAsync(sam, Guid.CreateVersion7(), requestId, "ticket checked", 1);

        Assert.True(approved.Succeeded, approved.Message);
        Assert.Equal(5100, (await WalletAsync(walletId)).Balance);
        var requestEvents = await fixture.EventsAsync(requestId);
        var grant = (await fixture.EventsAsync(walletId)).Last();
        var granted = Assert.IsType<CreditsGranted>(grant.Data);
        Assert.Equal(("a-alice", 5000, GrantSource.Approval), (granted.GrantedBy, granted.Amount, granted.Source));
        Assert.Equal("a-sam", grant.UserName);
        Assert.Equal([operationId], requestEvents.Select(e => e.CorrelationId).Append(grant.CorrelationId).Distinct());
        Assert.Equal(ApprovalStatus.Approved, (await ViewAsync(requestId)).Status);
    }

    [Fact]
    public async Task Given_an_approved_grant_When_an_auditor_opens_the_operation_of_the_request_in_the_explorer_Then_request_approval_and_grant_are_its_events()
    {
        var (walletId, requestId, _, operationId) = await PendingGrantAsync("x", balance: 0, amount: 2500);
        var approval = Guid.CreateVersion7();
        Assert.True((await Approvals.ApproveAsync(PortalHostFixture.Actor("x-sam"), approval, requestId, "contract seen", 1)).Succeeded);
        await fixture.GrantPersonaAsync("x-carol", Personas.Auditor);
        var feed = new AuditFeed(fixture.Store, new FixedActor(PortalHostFixture.Actor("x-carol")));

        // The request's row in the explorer; its details link to the operation by its correlation id (?correlation=…).
        var request = (await feed.QueryAsync(AuditFilter.None with { StreamId = requestId })).Entries.Single(e => e.Version == 1);
        var operation = (await feed.QueryAsync(AuditFilter.None with { Correlation = request.CorrelationId })).Entries;

        Assert.Equal(operationId, request.CorrelationId);
        Assert.Equal("x-alice asked a second person to approve: grant 2,500 credits on wallet of x-dana \u2014 refund of the outage", request.Summary);
        Assert.Equal(new[] { "approval_requested", "credits_granted", "request_approved" }, operation.Select(e => e.EventType).Order());
        Assert.Equal(new[] { requestId, walletId }.Order(), operation.Select(e => e.StreamId).Distinct().Order());
        // The decision and the change are one command (same causation), inside the request's operation.
        var decided = operation.Where(e => e.EventType != "approval_requested").ToList();
        Assert.All(decided, e => Assert.Equal((approval.ToString(), "x-sam"), (e.CausationId, e.Actor)));
        Assert.Equal(request.Sequence, operation.Min(e => e.Sequence));
    }

    [Fact]
    public async Task Given_one_pending_grant_When_two_approvers_approve_at_once_20_times_Then_each_time_exactly_one_grant_is_recorded()
    {
        await fixture.GrantAsync("p-dave", Personas.Admin);
        var outcomes = new List<string>();
        for (var round = 0; round < 20; round++)
        {
            var (walletId, requestId, _, _) = await PendingGrantAsync($"p{round}", balance: 0, amount: 2000);
            var approvers = new[] { PortalHostFixture.Actor($"p{round}-sam"), PortalHostFixture.Actor("p-dave") };
            // Both saw version 1; the second half of the rounds approve without a version (internal callers lock the stream).
            long? seen = round % 2 == 0 ? 1 : null;
            var results = await Task.WhenAll(approvers.Select(a => Task.Run(() => Approvals.ApproveAsync(a, Guid.CreateVersion7(), requestId, "", seen))));

            var grants = (await fixture.EventsAsync(walletId)).Count(e => e.Data is CreditsGranted);
            Assert.Equal(1, grants);
            Assert.Equal(1, results.Count(r => r.Succeeded));
            Assert.Equal(2000, (await WalletAsync(walletId)).Balance);
            outcomes.Add(string.Join("/", results.Select(r => r.Status).Order()));
        }
        output.WriteLine($"20 rounds of two parallel approvals: {string.Join(", ", outcomes.GroupBy(o => o).Select(g => $"{g.Count()}x {g.Key}"))}; one grant each round");
    }

    [Fact]
    public async Task Given_the_same_approval_clicked_twice_When_both_arrive_Then_one_change_and_the_same_answer()
    {
        var (walletId, requestId, _, _) = await PendingGrantAsync("d", balance: 0, amount: 3000);
        var sam = PortalHostFixture.Actor("d-sam");
        var commandId = Guid.CreateVersion7();

        var results = await Task.WhenAll(Task.Run(() => Approvals.ApproveAsync(sam, commandId, requestId, "", 1)), Task.Run(() => Approvals.ApproveAsync(sam, commandId, requestId, "", 1)));

        Assert.All(results, r => Assert.Equal(CommandStatus.Accepted, r.Status));
        Assert.Equal(3000, (await WalletAsync(walletId)).Balance);
    }

    [Fact]
    public async Task Given_a_pending_spend_When_the_balance_dropped_before_the_approval_Then_the_approval_is_refused_recorded_and_the_request_stays_open()
    {
        await fixture.GrantPersonaAsync("s-alice", Personas.Support);
        await fixture.GrantAsync("s-sam", [.. Personas.Support, Permission.ApproveChanges]);
        var walletId = await fixture.SupportWalletAsync(1000, owner: "s-dana", support: "s-alice");
        var alice = PortalHostFixture.Actor("s-alice");
        // Two grants of 1,000 (at the threshold, so no approval) bring the balance to 3,000.
        Assert.True((await Wallets.GrantAsync(alice, Guid.CreateVersion7(), walletId, 1000, "top-up", null)).Succeeded);
        Assert.True((await Wallets.GrantAsync(alice, Guid.CreateVersion7(), walletId, 1000, "top-up", null)).Succeeded);
        var asked = await Wallets.SpendAsync(alice, Guid.CreateVersion7(), walletId, 2500, "hardware order", null);
        Assert.Contains("waits for approval", asked.Message);
        var requestId = asked.StreamId!.Value;

        // Meanwhile the wallet pays for something else.
        Assert.True((await Wallets.SpendAsync(alice, Guid.CreateVersion7(), walletId, 900, "job launch", null)).Succeeded);
        var refused = await Approvals.ApproveAsync(PortalHostFixture.Actor("s-sam"), Guid.CreateVersion7(), requestId, "", null);

        Assert.Equal((CommandStatus.Rejected, ErrorCodes.InsufficientCredits), (refused.Status, refused.ErrorCode));
        Assert.Contains("balance 2100", refused.Message);
        Assert.Equal(2100, (await WalletAsync(walletId)).Balance);
        var view = await ViewAsync(requestId);
        Assert.Equal(ApprovalStatus.Pending, view.Status);
        Assert.Contains("balance 2100", view.Outcome);
        Assert.IsType<ApprovalRefused>((await fixture.EventsAsync(requestId)).Last().Data);

        // Re-decided again at the next approval: after a top-up it goes through.
        Assert.True((await Wallets.GrantAsync(alice, Guid.CreateVersion7(), walletId, 500, "top-up", null)).Succeeded);
        var approved = await Approvals.ApproveAsync(PortalHostFixture.Actor("s-sam"), Guid.CreateVersion7(), requestId, "", null);
        Assert.True(approved.Succeeded, approved.Message);
        Assert.Equal(100, (await WalletAsync(walletId)).Balance);
    }

    [Fact]
    public async Task Given_pending_requests_When_the_clock_passes_the_expiry_Then_the_expiry_is_recorded_by_the_portal_and_approving_is_refused()
    {
        var (walletId, requestId, _, _) = await PendingGrantAsync("e", balance: 0, amount: 4000);
        Assert.Equal(0, await Approvals.ExpireDueAsync());

        fixture.Clock.Advance(TimeSpan.FromHours(72));
        var late = await Approvals.ApproveAsync(PortalHostFixture.Actor("e-sam"), Guid.CreateVersion7(), requestId, "", null);
        Assert.Equal(ErrorCodes.RequestExpired, late.ErrorCode);
        var expired = await Approvals.ExpireDueAsync();

        Assert.True(expired >= 1);
        var last = (await fixture.EventsAsync(requestId)).Last();
        Assert.Equal(ApprovalService.ExpiryActor, Assert.IsType<RequestExpired>(last.Data).ExpiredBy);
        Assert.Equal(ApprovalStatus.Expired, (await ViewAsync(requestId)).Status);
        Assert.Equal(0, (await WalletAsync(walletId)).Balance);
        Assert.Equal(0, await Approvals.ExpireDueAsync());
    }

    [Fact]
    public async Task Given_a_pending_request_When_sam_rejects_it_or_alice_withdraws_hers_Then_nothing_changes_and_the_outcome_is_recorded()
    {
        var (walletId, requestId, alice, _) = await PendingGrantAsync("r", balance: 0, amount: 1500);
        var byOther = await Approvals.WithdrawAsync(PortalHostFixture.Actor("r-sam"), Guid.CreateVersion7(), requestId, "", null);
        Assert.Equal(ErrorCodes.NotRequester, byOther.ErrorCode);
        var rejected = await Approvals.RejectAsync(PortalHostFixture.Actor("r-sam"), Guid.CreateVersion7(), requestId, "no ticket", null);
        Assert.True(rejected.Succeeded, rejected.Message);
        Assert.Equal(("no ticket", ApprovalStatus.Rejected), ((await ViewAsync(requestId)).Outcome, (await ViewAsync(requestId)).Status));

        var again = await Wallets.GrantAsync(alice, Guid.CreateVersion7(), walletId, 1500, "second try", null);
        var withdrawn = await Approvals.WithdrawAsync(alice, Guid.CreateVersion7(), again.StreamId!.Value, "wrong wallet", null);
        Assert.True(withdrawn.Succeeded, withdrawn.Message);
        Assert.Equal(0, (await WalletAsync(walletId)).Balance);
    }

    [Fact]
    public async Task Given_an_admin_When_granting_an_admin_permission_on_the_portal_list_Then_it_waits_for_a_second_admin()
    {
        await fixture.GrantAsync("g-dave", Personas.Admin);
        var acl = fixture.Get<AccessControlService>();
        var root = PortalHostFixture.Actor(PortalHostFixture.Admin);

        var plain = await acl.GrantAsync(root, Guid.CreateVersion7(), Resources.PortalAclId, "g-erin", Permission.ReadWallets, "new starter", null);
        var asked = await acl.GrantAsync(root, Guid.CreateVersion7(), Resources.PortalAclId, "g-erin", Permission.EditAccessControl, "new admin", null);
        var already = await acl.GrantAsync(root, Guid.CreateVersion7(), Resources.PortalAclId, "g-dave", Permission.EditAccessControl, "twice", null);

        Assert.True(plain.Succeeded, plain.Message);
        Assert.Contains("waits for approval", asked.Message);
        Assert.Equal(ErrorCodes.AlreadyGranted, already.ErrorCode);
        Assert.False(await AllowedAsync("g-erin", Permission.EditAccessControl));
        var approved = await Approvals.ApproveAsync(PortalHostFixture.Actor("g-dave"), Guid.CreateVersion7(), asked.StreamId!.Value, "", 1);
        Assert.True(approved.Succeeded, approved.Message);
        Assert.True(await AllowedAsync("g-erin", Permission.EditAccessControl));
    }

    private async Task<bool> AllowedAsync(string user, Permission permission)
    {
        await using var query = fixture.Store.QuerySession();
        return await PortalAccess.IsAllowedAsync(query, PortalHostFixture.Actor(user), permission, CancellationToken.None);
    }
}
