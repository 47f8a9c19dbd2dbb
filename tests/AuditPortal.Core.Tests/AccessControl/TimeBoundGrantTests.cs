namespace AuditPortal.Core.Tests.AccessControl;

/// <summary>Grants with an end: the decision, the fold at and after the end, and the recorded expiry.</summary>
public class TimeBoundGrantTests
{
    private static readonly Guid PortalId = Resources.PortalAclId;
    private static readonly DateTimeOffset End = Now.AddDays(30);

    private static AccessControlListCreated PortalCreated => new(PortalId, Resources.Portal, "system:bootstrap", Now.AddDays(-1), "Portal installed");
    private static PermissionGranted Granted(string who, Permission p, DateTimeOffset? until = null) => new(PortalId, who, p, "admin", Now, "setup", until);
    private static GrantPermission Grant(string who, Permission p, DateTimeOffset? until, DateTimeOffset? at = null) =>
        new(PortalId, who, p, "audit season", Guid.NewGuid(), "admin", at ?? Now, Until: until);
    private static ExpirePermission Expire(string who, Permission p, DateTimeOffset until, DateTimeOffset at) =>
        new(PortalId, who, p, until, AccessControlService.ExpiryActor, at);

    [Fact]
    public void Given_portal_list_When_granting_until_a_future_instant_Then_permission_granted_carries_the_end()
    {
        var e = AccessControlListDecisions.Handle(GivenAcl(PortalCreated), Grant("carol", Permission.ReadAudit, End));

        Assert.Equal(new PermissionGranted(PortalId, "carol", Permission.ReadAudit, "admin", Now, "audit season", End), e);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-86400)]
    public void Given_portal_list_When_granting_until_now_or_a_past_instant_Then_until_is_invalid_with_a_clear_message(int secondsFromNow)
    {
        var error = ThenInvalid(() => AccessControlListDecisions.Handle(GivenAcl(PortalCreated), Grant("carol", Permission.ReadAudit, Now.AddSeconds(secondsFromNow))), "until");

        Assert.Contains("must be in the future", error.Message);
    }

    [Fact]
    public void Given_a_time_bound_grant_When_folded_Then_it_is_held_until_the_instant_before_its_end_and_not_from_the_end_on()
    {
        var acl = GivenAcl(PortalCreated, Granted("carol", Permission.ReadAudit, End))!;

        Assert.True(acl.Has("carol", Permission.ReadAudit, End.AddTicks(-1)));
        Assert.False(acl.Has("carol", Permission.ReadAudit, End));
        Assert.False(acl.Has("CAROL", Permission.ReadAudit, End.AddDays(1)));
        // Nobody acted: the entry is still recorded, due for its expiry event.
        Assert.Equal([new AccessControlEntry("carol", Permission.ReadAudit, End)], acl.DueAt(End));
        Assert.Empty(acl.DueAt(End.AddTicks(-1)));
    }

    [Fact]
    public void Given_a_grant_past_its_end_When_the_expiry_is_decided_Then_permission_expired_records_the_end_who_and_when()
    {
        var acl = GivenAcl(PortalCreated, Granted("carol", Permission.ReadAudit, End));

        var e = AccessControlListDecisions.Handle(acl, Expire("carol", Permission.ReadAudit, End, End.AddSeconds(40)));

        Assert.Equal(new PermissionExpired(PortalId, "carol", Permission.ReadAudit, End, "system:access-expiry", End.AddSeconds(40)), e);
        Assert.Empty(acl!.Apply(e).Entries);
    }

    [Fact]
    public void Given_a_grant_before_its_end_When_the_expiry_is_decided_Then_not_due_is_rejected()
    {
        var acl = GivenAcl(PortalCreated, Granted("carol", Permission.ReadAudit, End));

        ThenRejected(() => AccessControlListDecisions.Handle(acl, Expire("carol", Permission.ReadAudit, End, End.AddTicks(-1))), ErrorCodes.NotDue);
    }

    [Fact]
    public void Given_an_expiry_already_recorded_When_a_second_node_decides_it_Then_not_granted_is_rejected()
    {
        var acl = GivenAcl(PortalCreated, Granted("carol", Permission.ReadAudit, End),
            new PermissionExpired(PortalId, "carol", Permission.ReadAudit, End, AccessControlService.ExpiryActor, End));

        ThenRejected(() => AccessControlListDecisions.Handle(acl, Expire("carol", Permission.ReadAudit, End, End.AddMinutes(1))), ErrorCodes.NotGranted);
    }

    [Fact]
    public void Given_a_lapsed_grant_regranted_before_its_expiry_was_recorded_When_the_old_expiry_is_recorded_Then_the_new_grant_stays()
    {
        var later = End.AddDays(10);
        var acl = GivenAcl(PortalCreated, Granted("carol", Permission.ReadAudit, End))!;
        // After the end, nobody has recorded it yet: granting again is accepted (the old one no longer counts).
        var regranted = acl.Apply(AccessControlListDecisions.Handle(acl, Grant("carol", Permission.ReadAudit, later, at: End.AddHours(1))));

        // The old end is no longer on the list: there is nothing left to record, and the new grant holds.
        ThenRejected(() => AccessControlListDecisions.Handle(regranted, Expire("carol", Permission.ReadAudit, End, End.AddHours(2))), ErrorCodes.NotGranted);
        var afterStaleExpiry = regranted.Apply(new PermissionExpired(PortalId, "carol", Permission.ReadAudit, End, AccessControlService.ExpiryActor, End.AddHours(2)));
        Assert.True(afterStaleExpiry.Has("carol", Permission.ReadAudit, End.AddHours(2)));
    }

    [Fact]
    public void Given_a_time_bound_grant_When_granting_a_new_end_or_no_end_Then_it_replaces_the_old_one_and_the_same_end_again_is_refused()
    {
        var acl = GivenAcl(PortalCreated, Granted("carol", Permission.ReadAudit, End))!;

        var extended = acl.Apply(AccessControlListDecisions.Handle(acl, Grant("carol", Permission.ReadAudit, End.AddDays(30))));
        Assert.Equal(End.AddDays(30), Assert.Single(extended.Entries).Until);
        var permanent = acl.Apply(AccessControlListDecisions.Handle(acl, Grant("carol", Permission.ReadAudit, null)));
        Assert.True(permanent.Has("carol", Permission.ReadAudit, End.AddYears(5)));
        ThenRejected(() => AccessControlListDecisions.Handle(acl, Grant("carol", Permission.ReadAudit, End)), ErrorCodes.AlreadyGranted);
    }

    [Fact]
    public void Given_a_lapsed_grant_When_revoking_it_Then_not_granted_is_rejected()
    {
        var acl = GivenAcl(PortalCreated, Granted("carol", Permission.ReadAudit, End));

        ThenRejected(() => AccessControlListDecisions.Handle(acl, new RevokePermission(PortalId, "carol", Permission.ReadAudit, "left", Guid.NewGuid(), "admin", End)), ErrorCodes.NotGranted);
    }

    [Fact]
    public void Given_the_only_admin_without_an_end_and_a_time_bound_admin_When_revoking_the_permanent_one_Then_last_admin_is_rejected()
    {
        var acl = GivenAcl(PortalCreated, Granted("admin", Permission.EditAccessControl), Granted("temp", Permission.EditAccessControl, End));

        ThenRejected(() => AccessControlListDecisions.Handle(acl, new RevokePermission(PortalId, "admin", Permission.EditAccessControl, "left", Guid.NewGuid(), "dave", Now)), ErrorCodes.LastAdmin);
        // The time-bound one may go: the permanent admin stays.
        Assert.Equal("temp", AccessControlListDecisions.Handle(acl, new RevokePermission(PortalId, "temp", Permission.EditAccessControl, "done", Guid.NewGuid(), "admin", Now)).Principal);
    }
}
