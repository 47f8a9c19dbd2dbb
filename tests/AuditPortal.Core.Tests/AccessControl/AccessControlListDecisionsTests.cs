namespace AuditPortal.Core.Tests.AccessControl;

public class AccessControlListDecisionsTests
{
    private static readonly Guid PortalId = Resources.PortalAclId;
    private static readonly Guid WalletAclId = Guid.Parse("0193a8f1-9113-7000-8000-0000000000c1");

    private static AccessControlListCreated PortalCreated => new(PortalId, Resources.Portal, "system:bootstrap", Now, "Portal installed");
    private static AccessControlListCreated WalletAclCreated => new(WalletAclId, "wallet:1", "admin", Now, "per-wallet rights");
    private static PermissionGranted Granted(string who, Permission p, Guid? acl = null) => new(acl ?? PortalId, who, p, "admin", Now, "setup");
    private static PermissionRevoked Revoked(string who, Permission p) => new(PortalId, who, p, "admin", Now, "left");

    private static GrantPermission Grant(string who, Permission p, string reason = "new colleague", Guid? acl = null) =>
        new(acl ?? PortalId, who, p, reason, Guid.NewGuid(), "admin", Now);
    private static RevokePermission Revoke(string who, Permission p, string reason = "left the team", Guid? acl = null) =>
        new(acl ?? PortalId, who, p, reason, Guid.NewGuid(), "admin", Now);

    // CreateAccessControlList

    [Fact]
    public void Given_no_list_When_creating_Then_access_control_list_created_records_resource_who_when_and_why()
    {
        var e = AccessControlListDecisions.Handle(GivenAcl(), new CreateAccessControlList(WalletAclId, " wallet:1 ", " per-wallet rights ", Guid.NewGuid(), "admin", Now));

        Assert.Equal(new AccessControlListCreated(WalletAclId, "wallet:1", "admin", Now, "per-wallet rights"), e);
    }

    [Fact]
    public void Given_no_list_When_creating_with_an_empty_id_Then_the_id_is_rejected()
    {
        ThenInvalid(() => AccessControlListDecisions.Handle(null, new CreateAccessControlList(Guid.Empty, "wallet:1", "why", Guid.NewGuid(), "admin", Now)), "aclId");
    }

    [Theory]
    [InlineData("", "why", "resource")]
    [InlineData("wallet:1", "", "reason")]
    [InlineData("wallet:1", null, "reason")]
    public void Given_no_list_When_creating_without_resource_or_reason_Then_the_field_is_required(string resource, string? reason, string field)
    {
        ThenInvalid(() => AccessControlListDecisions.Handle(null, new CreateAccessControlList(WalletAclId, resource, reason!, Guid.NewGuid(), "admin", Now)), field);
    }

    [Fact]
    public void Given_no_list_When_creating_with_too_long_resource_Then_resource_is_rejected()
    {
        ThenInvalid(() => AccessControlListDecisions.Handle(null, new CreateAccessControlList(WalletAclId, new string('w', Guard.MaxNameLength + 1), "why", Guid.NewGuid(), "admin", Now)), "resource");
    }

    // GrantPermission

    [Fact]
    public void Given_portal_list_When_granting_support_a_permission_Then_permission_granted_records_who_when_and_why()
    {
        var e = AccessControlListDecisions.Handle(GivenAcl(PortalCreated), Grant(" alice ", Permission.GrantCredits, " new colleague "));

        Assert.Equal(new PermissionGranted(PortalId, "alice", Permission.GrantCredits, "admin", Now, "new colleague"), e);
    }

    [Fact]
    public void Given_granted_permission_When_granting_another_permission_Then_it_is_accepted()
    {
        var acl = GivenAcl(PortalCreated, Granted("alice", Permission.GrantCredits));

        var e = AccessControlListDecisions.Handle(acl, Grant("alice", Permission.SpendCredits));

        Assert.True(acl!.Apply(e).Has("alice", Permission.SpendCredits, Now));
    }

    [Fact]
    public void Given_portal_list_When_granting_an_undefined_permission_Then_permission_is_rejected()
    {
        ThenInvalid(() => AccessControlListDecisions.Handle(GivenAcl(PortalCreated), Grant("alice", (Permission)999)), "permission");
    }

    [Theory]
    [InlineData("", "why", "principal")]
    [InlineData("alice", "", "reason")]
    [InlineData("alice", null, "reason")]
    public void Given_portal_list_When_granting_without_principal_or_reason_Then_the_field_is_required(string principal, string? reason, string field)
    {
        ThenInvalid(() => AccessControlListDecisions.Handle(GivenAcl(PortalCreated), Grant(principal, Permission.ReadAudit, reason!)), field);
    }

    [Fact]
    public void Given_portal_list_When_granting_with_too_long_reason_Then_reason_is_rejected()
    {
        ThenInvalid(() => AccessControlListDecisions.Handle(GivenAcl(PortalCreated), Grant("carol", Permission.ReadAudit, new string('r', Guard.MaxTextLength + 1))), "reason");
    }

    // RevokePermission

    [Fact]
    public void Given_granted_permission_When_revoking_Then_permission_revoked_records_who_when_and_why()
    {
        var acl = GivenAcl(PortalCreated, Granted("alice", Permission.GrantCredits));

        var e = AccessControlListDecisions.Handle(acl, Revoke("Alice", Permission.GrantCredits));

        Assert.Equal(new PermissionRevoked(PortalId, "Alice", Permission.GrantCredits, "admin", Now, "left the team"), e);
        Assert.False(acl!.Apply(e).Has("alice", Permission.GrantCredits, Now));
    }

    [Fact]
    public void Given_revoked_permission_When_revoking_again_Then_not_granted_is_rejected()
    {
        var acl = GivenAcl(PortalCreated, Granted("alice", Permission.GrantCredits), Revoked("alice", Permission.GrantCredits));

        ThenRejected(() => AccessControlListDecisions.Handle(acl, Revoke("alice", Permission.GrantCredits)), ErrorCodes.NotGranted);
    }

    [Fact]
    public void Given_only_one_portal_admin_When_revoking_their_edit_access_control_Then_last_admin_is_rejected()
    {
        var acl = GivenAcl(PortalCreated, Granted("admin", Permission.EditAccessControl), Granted("alice", Permission.GrantCredits));

        var error = ThenRejected(() => AccessControlListDecisions.Handle(acl, Revoke("admin", Permission.EditAccessControl)), ErrorCodes.LastAdmin);

        Assert.Contains("last admin", error.Message);
    }

    [Fact]
    public void Given_only_one_portal_admin_When_revoking_one_of_their_other_permissions_Then_it_is_accepted()
    {
        var acl = GivenAcl(PortalCreated, Granted("admin", Permission.EditAccessControl), Granted("admin", Permission.ReadAudit));

        Assert.Equal(Permission.ReadAudit, AccessControlListDecisions.Handle(acl, Revoke("admin", Permission.ReadAudit)).Permission);
    }

    [Fact]
    public void Given_two_portal_admins_When_revoking_one_Then_it_is_accepted_and_the_other_remains()
    {
        var acl = GivenAcl(PortalCreated, Granted("admin", Permission.EditAccessControl), Granted("dave", Permission.EditAccessControl));

        var after = acl!.Apply(AccessControlListDecisions.Handle(acl, Revoke("dave", Permission.EditAccessControl)));

        Assert.True(after.Has("admin", Permission.EditAccessControl, Now));
        ThenRejected(() => AccessControlListDecisions.Handle(after, Revoke("admin", Permission.EditAccessControl)), ErrorCodes.LastAdmin);
    }

    [Fact]
    public void Given_resource_list_with_one_editor_When_revoking_it_Then_it_is_accepted_because_only_the_portal_needs_an_admin()
    {
        var acl = GivenAcl(WalletAclCreated, Granted("dave", Permission.EditAccessControl, WalletAclId));

        var e = AccessControlListDecisions.Handle(acl, Revoke("dave", Permission.EditAccessControl, acl: WalletAclId));

        Assert.False(acl!.Apply(e).Has("dave", Permission.EditAccessControl, Now));
    }

    [Theory]
    [InlineData("", "why", "principal")]
    [InlineData("alice", "", "reason")]
    public void Given_granted_permission_When_revoking_without_principal_or_reason_Then_the_field_is_required(string principal, string reason, string field)
    {
        ThenInvalid(() => AccessControlListDecisions.Handle(GivenAcl(PortalCreated, Granted("alice", Permission.GrantCredits)), Revoke(principal, Permission.GrantCredits, reason)), field);
    }

    /// <summary>Each rule a list command can break, named as the Given_When_Then it tests: the decision refuses with the rule's code.</summary>
    private static readonly Dictionary<string, (Func<object> When, string Code)> RuleBreaks = new()
    {
        ["Given_existing_list_When_creating_again_Then_acl_exists_is_rejected"] = (() => AccessControlListDecisions.Handle(GivenAcl(WalletAclCreated), new CreateAccessControlList(WalletAclId, "wallet:1", "again", Guid.NewGuid(), "admin", Now)), ErrorCodes.AclExists),
        ["Given_granted_permission_When_granting_it_again_in_other_case_Then_already_granted_is_rejected"] = (() => AccessControlListDecisions.Handle(GivenAcl(PortalCreated, Granted("alice", Permission.GrantCredits)), Grant("ALICE", Permission.GrantCredits)), ErrorCodes.AlreadyGranted),
        ["Given_no_list_When_granting_Then_list_not_found_is_rejected"] = (() => AccessControlListDecisions.Handle(GivenAcl(), Grant("alice", Permission.ReadWallets)), ErrorCodes.NotFound),
        ["Given_permission_not_held_When_revoking_Then_not_granted_is_rejected"] = (() => AccessControlListDecisions.Handle(GivenAcl(PortalCreated, Granted("alice", Permission.GrantCredits)), Revoke("alice", Permission.SpendCredits)), ErrorCodes.NotGranted),
        ["Given_no_list_When_revoking_Then_list_not_found_is_rejected"] = (() => AccessControlListDecisions.Handle(GivenAcl(), Revoke("alice", Permission.ReadWallets)), ErrorCodes.NotFound),
    };

    public static TheoryData<string> RuleBreakCases() => Cases(RuleBreaks);

    [Theory]
    [MemberData(nameof(RuleBreakCases))]
    public void Given_a_list_When_a_command_breaks_a_rule_Then_it_is_rejected_with_the_rules_code(string rule) =>
        ThenRejected(RuleBreaks[rule]);
}
