namespace AuditPortal.IntegrationTests.AccessControl;

/// <summary>The portal's host with a clock the tests move (the permission fold, the services and the expiry read it) and four eyes on admin changes.</summary>
public sealed class TimeBoundGrantsFixture : PortalHostFixture
{
    public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void Configure(IServiceCollection services)
    {
        services.AddSingleton(new ApprovalPolicy(GrantThreshold: 1000, SpendThreshold: null, Expiry: TimeSpan.FromHours(72)));
        services.AddSingleton<TimeProvider>(Clock);
    }
}

public class TimeBoundGrantTests(TimeBoundGrantsFixture fixture) : IClassFixture<TimeBoundGrantsFixture>
{
    private AccessControlService Acl => fixture.Get<AccessControlService>();
    private static Actor Admin => PortalHostFixture.Actor(PortalHostFixture.Admin);

    private async Task<bool> AllowedAsync(string user, Permission permission)
    {
        await using var query = fixture.Store.QuerySession();
        return await CommandExecutor.IsAllowedAsync(query, PortalHostFixture.Actor(user), permission, CancellationToken.None);
    }

    /// <summary>Grants as the portal itself: admin permissions granted by a person would wait for a second one here.</summary>
    private async Task GrantAsync(string user, params Permission[] permissions)
    {
        foreach (var permission in permissions)
        {
            var result = await Acl.GrantAsync(Actor.System("test-setup"), Guid.CreateVersion7(), Resources.PortalAclId, user, permission, "test setup", null);
            Assert.True(result.Succeeded || result.ErrorCode == ErrorCodes.AlreadyGranted, result.Message);
        }
    }

    private async Task<List<PermissionExpired>> ExpiriesAsync(string principal)
    {
        var events = await fixture.EventsAsync(Resources.PortalAclId);
        return events.Select(e => e.Data).OfType<PermissionExpired>().Where(e => e.Principal == principal).ToList();
    }

    private async Task<DateTimeOffset> GrantUntilAsync(string user, Permission permission, TimeSpan from)
    {
        var until = fixture.Clock.GetUtcNow() + from;
        var granted = await Acl.GrantAsync(Actor.System("test-setup"), Guid.CreateVersion7(), Resources.PortalAclId, user, permission, "audit season", null, until);
        Assert.True(granted.Succeeded, granted.Message);
        return until;
    }

    [Fact]
    public async Task Given_a_time_bound_grant_When_the_clock_reaches_its_end_Then_the_permission_ends_at_that_instant_with_nobody_acting()
    {
        var until = await GrantUntilAsync("tb-carol", Permission.ReadWallets, TimeSpan.FromDays(30));
        var wallets = new WalletQueries(fixture.Store, new FixedActor(PortalHostFixture.Actor("tb-carol")));
        Assert.True(await AllowedAsync("tb-carol", Permission.ReadWallets));

        fixture.Clock.Advance(until - fixture.Clock.GetUtcNow() - TimeSpan.FromTicks(1));
        Assert.True(await AllowedAsync("tb-carol", Permission.ReadWallets));
        await wallets.ListAsync(new WalletListQuery());

        fixture.Clock.Advance(TimeSpan.FromTicks(1));
        // No expiry recorded yet (no background service runs here): authorization does not wait for it.
        Assert.Empty(await ExpiriesAsync("tb-carol"));
        Assert.False(await AllowedAsync("tb-carol", Permission.ReadWallets));
        await Assert.ThrowsAsync<AccessDeniedException>(() => wallets.ListAsync(new WalletListQuery()));
    }

    [Fact]
    public async Task Given_grants_past_their_end_When_two_nodes_record_expiries_at_once_Then_each_expiry_is_one_event_by_the_portal_with_its_end()
    {
        var ends = new Dictionary<string, DateTimeOffset>
        {
            ["tb-ann"] = await GrantUntilAsync("tb-ann", Permission.ReadAudit, TimeSpan.FromHours(1)),
            ["tb-ben"] = await GrantUntilAsync("tb-ben", Permission.ReadJobs, TimeSpan.FromHours(2)),
            ["tb-cy"] = await GrantUntilAsync("tb-cy", Permission.ReadWallets, TimeSpan.FromHours(3)),
        };
        var staying = await GrantUntilAsync("tb-dee", Permission.ReadAudit, TimeSpan.FromDays(10));
        fixture.Clock.Advance(TimeSpan.FromHours(4));
        var now = fixture.Clock.GetUtcNow();

        var before = (await fixture.EventsAsync(Resources.PortalAclId)).Count(e => e.Data is PermissionExpired);
        // A second node: its own store (its own fold cache) on the same database, the same clock, no daemon.
        using var other = await ReliabilityHost.StartAsync(fixture.ConnectionString, DaemonMode.Disabled, configure: s => s.AddSingleton<TimeProvider>(fixture.Clock));
        var counts = await Task.WhenAll(
            Task.Run(() => Acl.ExpireDueAsync()), Task.Run(() => other.Services.GetRequiredService<AccessControlService>().ExpireDueAsync()));
        await other.StopAsync();

        // Other tests' lapsed grants may be recorded in the same run: each recorded event was counted by exactly one node.
        Assert.Equal((await fixture.EventsAsync(Resources.PortalAclId)).Count(e => e.Data is PermissionExpired) - before, counts.Sum());
        foreach (var (user, end) in ends)
        {
            var expired = Assert.Single(await ExpiriesAsync(user));
            Assert.Equal((end, AccessControlService.ExpiryActor, now), (expired.Until, expired.RecordedBy, expired.RecordedAt));
        }
        Assert.Empty(await ExpiriesAsync("tb-dee"));
        // Recorded by the portal itself, on the list's history; a later run finds nothing left.
        var events = await fixture.EventsAsync(Resources.PortalAclId);
        Assert.All(events.Where(e => e.Data is PermissionExpired), e => Assert.Equal(AccessControlService.ExpiryActor, e.UserName));
        Assert.Equal(0, await Acl.ExpireDueAsync());
        await using var query = fixture.Store.QuerySession();
        var view = await query.LoadAsync<AccessControlListView>(Resources.PortalAclId);
        Assert.DoesNotContain(view!.Entries, e => ends.ContainsKey(e.Principal));
        Assert.Equal(staying, view.Entries.Single(e => e.Principal == "tb-dee").Until);
        Assert.Null(await AccessControlFromEvents.CompareWithReadModelAsync(query, Resources.PortalAclId));
        // The explorer's line for it.
        var line = AuditSummaries.Summarize("permission_expired", System.Text.Json.JsonSerializer.SerializeToElement(
            events.Select(e => e.Data).OfType<PermissionExpired>().First(e => e.Principal == "tb-ann"), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } }));
        Assert.StartsWith("tb-ann's ReadAudit ended at ", line);
    }

    [Fact]
    public async Task Given_an_end_in_the_past_When_granting_Then_it_is_refused_at_the_until_field_and_nothing_is_recorded()
    {
        var before = (await fixture.EventsAsync(Resources.PortalAclId)).Count;

        var result = await Acl.GrantAsync(Admin, Guid.CreateVersion7(), Resources.PortalAclId, "tb-late", Permission.ReadAudit, "too late", null,
            fixture.Clock.GetUtcNow().AddMinutes(-1));

        Assert.Equal((CommandStatus.Rejected, "until"), (result.Status, result.Field));
        Assert.Contains("must be in the future", result.Message);
        Assert.Equal(before, (await fixture.EventsAsync(Resources.PortalAclId)).Count);
    }

    [Fact]
    public async Task Given_a_time_bound_admin_grant_by_an_admin_When_a_second_admin_approves_Then_the_grant_carries_its_end_and_ends_then()
    {
        await GrantAsync("tb-admin", Personas.Admin);
        await GrantAsync("tb-second", [.. Personas.Admin, Permission.ApproveChanges]);
        var until = fixture.Clock.GetUtcNow().AddDays(7);

        var asked = await Acl.GrantAsync(PortalHostFixture.Actor("tb-admin"), Guid.CreateVersion7(), Resources.PortalAclId, "tb-temp", Permission.EditAccessControl, "cover for a week", null, until);

        Assert.Equal(CommandStatus.Accepted, asked.Status);
        Assert.Contains("waits for approval", asked.Message);
        Assert.Contains("until", asked.Message);
        Assert.False(await AllowedAsync("tb-temp", Permission.EditAccessControl));
        var approved = await fixture.Get<ApprovalService>().ApproveAsync(PortalHostFixture.Actor("tb-second"), Guid.CreateVersion7(), asked.StreamId!.Value, "ok", 1);
        Assert.True(approved.Succeeded, approved.Message);
        var granted = (await fixture.EventsAsync(Resources.PortalAclId)).Select(e => e.Data).OfType<PermissionGranted>().Last(e => e.Principal == "tb-temp");
        Assert.Equal((until, "tb-admin"), (granted.Until, granted.GrantedBy));
        Assert.True(await AllowedAsync("tb-temp", Permission.EditAccessControl));

        fixture.Clock.Advance(TimeSpan.FromDays(7));
        Assert.False(await AllowedAsync("tb-temp", Permission.EditAccessControl));
    }

    [Fact]
    public async Task Given_grants_and_sign_ins_When_the_access_review_is_read_Then_one_row_per_held_grant_with_display_name_and_last_sign_in()
    {
        await GrantAsync("ar-admin", Personas.Admin);
        await GrantAsync("ar-support", Personas.Support);
        await GrantAsync("ada@idp.example", Permission.ReadAudit);
        await GrantUntilAsync("ar-lapsed", Permission.ReadAudit, TimeSpan.FromMinutes(5));
        var signIns = fixture.Get<SignInLog>();
        await signIns.SignedInAsync("ada@idp.example", "Old Name", "oidc", "10.0.0.1", "c1");
        await signIns.SignedInAsync("ADA@idp.example", "Ada Lovelace", "oidc", "10.0.0.2", "c2");
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));

        var rows = await new AccessControlQueries(fixture.Store, new FixedActor(PortalHostFixture.Actor("ar-admin"))).ReviewAsync(new AccessReviewFilter());

        var ada = Assert.Single(rows, r => r.Principal == "ada@idp.example");
        Assert.Equal(("Ada Lovelace", "oidc", Permission.ReadAudit), (ada.DisplayName, ada.LastSignInMethod, ada.Permission));
        Assert.NotNull(ada.LastSignedInAt);
        Assert.DoesNotContain(rows, r => r.Principal == "ar-lapsed");
        Assert.True(rows.Single(r => r.Principal == "ar-support" && r.Permission == Permission.GrantCredits).LastSignedInAt is null);
        Assert.Equal(Personas.Admin.Length, rows.Count(r => r.Principal == "ar-admin"));
        // Filters: by display name, and those without a recent sign-in.
        var byName = await new AccessControlQueries(fixture.Store, new FixedActor(PortalHostFixture.Actor("ar-admin"))).ReviewAsync(new AccessReviewFilter("lovelace"));
        Assert.Equal(["ada@idp.example"], byName.Select(r => r.Principal));
        // (Sign-ins carry the real append time while this clock may be weeks ahead: a wide window keeps the test exact.)
        var idle = await new AccessControlQueries(fixture.Store, new FixedActor(PortalHostFixture.Actor("ar-admin"))).ReviewAsync(new AccessReviewFilter(IdleDays: 3650));
        Assert.DoesNotContain(idle, r => r.Principal == "ada@idp.example");
        Assert.Contains(idle, r => r.Principal == "ar-support");
    }

    [Fact]
    public async Task Given_an_auditor_and_support_When_each_starts_the_access_review_export_Then_the_auditors_is_recorded_and_supports_refused_and_logged()
    {
        await GrantAsync("ax-carol", Personas.Auditor);
        await GrantAsync("ax-alice", Personas.Support);
        var exports = new AuditExports(fixture.Get<CommandExecutor>(), fixture.Clock);
        var filter = new AccessReviewFilter("ada", TimeBoundOnly: true);

        var carolsId = Guid.CreateVersion7();
        var carols = await exports.StartAccessReviewAsync(PortalHostFixture.Actor("ax-carol"), carolsId, filter);
        var alices = await exports.StartAccessReviewAsync(PortalHostFixture.Actor("ax-alice"), Guid.CreateVersion7(), filter);

        Assert.Equal(CommandStatus.Accepted, carols.Status);
        Assert.Equal(CommandStatus.Forbidden, alices.Status);
        var started = Assert.IsType<AuditExportStarted>(Assert.Single(await fixture.EventsAsync(carolsId)).Data);
        Assert.Equal(("ax-carol", AuditExports.AccessReviewFormat, "access review of the portal's list: person contains 'ada'; time-bound only"),
            (started.ExportedBy, started.Format, started.FilterDescription));
        var denied = Assert.IsType<CommandDenied>(Assert.Single(await fixture.EventsAsync(AccessLog.StreamIdFor("ax-alice"))).Data);
        Assert.Equal("StartAccessReviewExport", denied.CommandType);
    }
}
