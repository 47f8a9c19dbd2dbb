using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Common;
using static AuditPortal.Core.Tests.GivenWhenThen;

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
    public void GivenNoList_WhenCreating_ThenAccessControlListCreatedRecordsResourceWhoWhenAndWhy()
    {
        var e = AccessControlListDecisions.Handle(GivenAcl(), new CreateAccessControlList(WalletAclId, " wallet:1 ", " per-wallet rights ", Guid.NewGuid(), "admin", Now));

        Assert.Equal(new AccessControlListCreated(WalletAclId, "wallet:1", "admin", Now, "per-wallet rights"), e);
    }

    [Fact]
    public void GivenNoList_WhenCreatingWithAnEmptyId_ThenTheIdIsRejected()
    {
        ThenInvalid(() => AccessControlListDecisions.Handle(null, new CreateAccessControlList(Guid.Empty, "wallet:1", "why", Guid.NewGuid(), "admin", Now)), "aclId");
    }

    [Fact]
    public void GivenExistingList_WhenCreatingAgain_ThenAclExistsIsRejected()
    {
        ThenRejected(() => AccessControlListDecisions.Handle(GivenAcl(WalletAclCreated), new CreateAccessControlList(WalletAclId, "wallet:1", "again", Guid.NewGuid(), "admin", Now)), ErrorCodes.AclExists);
    }

    [Theory]
    [InlineData("", "why", "resource")]
    [InlineData("wallet:1", "", "reason")]
    [InlineData("wallet:1", null, "reason")]
    public void GivenNoList_WhenCreatingWithoutResourceOrReason_ThenTheFieldIsRequired(string resource, string? reason, string field)
    {
        ThenInvalid(() => AccessControlListDecisions.Handle(null, new CreateAccessControlList(WalletAclId, resource, reason!, Guid.NewGuid(), "admin", Now)), field);
    }

    [Fact]
    public void GivenNoList_WhenCreatingWithTooLongResource_ThenResourceIsRejected()
    {
        ThenInvalid(() => AccessControlListDecisions.Handle(null, new CreateAccessControlList(WalletAclId, new string('w', Guard.MaxNameLength + 1), "why", Guid.NewGuid(), "admin", Now)), "resource");
    }

    // GrantPermission

    [Fact]
    public void GivenPortalList_WhenGrantingSupportAPermission_ThenPermissionGrantedRecordsWhoWhenAndWhy()
    {
        var e = AccessControlListDecisions.Handle(GivenAcl(PortalCreated), Grant(" alice ", Permission.GrantCredits, " new colleague "));

        Assert.Equal(new PermissionGranted(PortalId, "alice", Permission.GrantCredits, "admin", Now, "new colleague"), e);
    }

    [Fact]
    public void GivenGrantedPermission_WhenGrantingItAgainInOtherCase_ThenAlreadyGrantedIsRejected()
    {
        ThenRejected(() => AccessControlListDecisions.Handle(GivenAcl(PortalCreated, Granted("alice", Permission.GrantCredits)), Grant("ALICE", Permission.GrantCredits)), ErrorCodes.AlreadyGranted);
    }

    [Fact]
    public void GivenGrantedPermission_WhenGrantingAnotherPermission_ThenItIsAccepted()
    {
        var acl = GivenAcl(PortalCreated, Granted("alice", Permission.GrantCredits));

        var e = AccessControlListDecisions.Handle(acl, Grant("alice", Permission.SpendCredits));

        Assert.True(acl!.Apply(e).Has("alice", Permission.SpendCredits));
    }

    [Fact]
    public void GivenPortalList_WhenGrantingAnUndefinedPermission_ThenPermissionIsRejected()
    {
        ThenInvalid(() => AccessControlListDecisions.Handle(GivenAcl(PortalCreated), Grant("alice", (Permission)999)), "permission");
    }

    [Theory]
    [InlineData("", "why", "principal")]
    [InlineData("alice", "", "reason")]
    [InlineData("alice", null, "reason")]
    public void GivenPortalList_WhenGrantingWithoutPrincipalOrReason_ThenTheFieldIsRequired(string principal, string? reason, string field)
    {
        ThenInvalid(() => AccessControlListDecisions.Handle(GivenAcl(PortalCreated), Grant(principal, Permission.ReadAudit, reason!)), field);
    }

    [Fact]
    public void GivenPortalList_WhenGrantingWithTooLongReason_ThenReasonIsRejected()
    {
        ThenInvalid(() => AccessControlListDecisions.Handle(GivenAcl(PortalCreated), Grant("carol", Permission.ReadAudit, new string('r', Guard.MaxTextLength + 1))), "reason");
    }

    [Fact]
    public void GivenNoList_WhenGranting_ThenListNotFoundIsRejected()
    {
        ThenRejected(() => AccessControlListDecisions.Handle(GivenAcl(), Grant("alice", Permission.ReadWallets)), ErrorCodes.NotFound);
    }

    // RevokePermission

    [Fact]
    public void GivenGrantedPermission_WhenRevoking_ThenPermissionRevokedRecordsWhoWhenAndWhy()
    {
        var acl = GivenAcl(PortalCreated, Granted("alice", Permission.GrantCredits));

        var e = AccessControlListDecisions.Handle(acl, Revoke("Alice", Permission.GrantCredits));

        Assert.Equal(new PermissionRevoked(PortalId, "Alice", Permission.GrantCredits, "admin", Now, "left the team"), e);
        Assert.False(acl!.Apply(e).Has("alice", Permission.GrantCredits));
    }

    [Fact]
    public void GivenPermissionNotHeld_WhenRevoking_ThenNotGrantedIsRejected()
    {
        ThenRejected(() => AccessControlListDecisions.Handle(GivenAcl(PortalCreated, Granted("alice", Permission.GrantCredits)), Revoke("alice", Permission.SpendCredits)), ErrorCodes.NotGranted);
    }

    [Fact]
    public void GivenRevokedPermission_WhenRevokingAgain_ThenNotGrantedIsRejected()
    {
        var acl = GivenAcl(PortalCreated, Granted("alice", Permission.GrantCredits), Revoked("alice", Permission.GrantCredits));

        ThenRejected(() => AccessControlListDecisions.Handle(acl, Revoke("alice", Permission.GrantCredits)), ErrorCodes.NotGranted);
    }

    [Fact]
    public void GivenOnlyOnePortalAdmin_WhenRevokingTheirEditAccessControl_ThenLastAdminIsRejected()
    {
        var acl = GivenAcl(PortalCreated, Granted("admin", Permission.EditAccessControl), Granted("alice", Permission.GrantCredits));

        var error = ThenRejected(() => AccessControlListDecisions.Handle(acl, Revoke("admin", Permission.EditAccessControl)), ErrorCodes.LastAdmin);

        Assert.Contains("last admin", error.Message);
    }

    [Fact]
    public void GivenOnlyOnePortalAdmin_WhenRevokingOneOfTheirOtherPermissions_ThenItIsAccepted()
    {
        var acl = GivenAcl(PortalCreated, Granted("admin", Permission.EditAccessControl), Granted("admin", Permission.ReadAudit));

        Assert.Equal(Permission.ReadAudit, AccessControlListDecisions.Handle(acl, Revoke("admin", Permission.ReadAudit)).Permission);
    }

    [Fact]
    public void GivenTwoPortalAdmins_WhenRevokingOne_ThenItIsAcceptedAndTheOtherRemains()
    {
        var acl = GivenAcl(PortalCreated, Granted("admin", Permission.EditAccessControl), Granted("dave", Permission.EditAccessControl));

        var after = acl!.Apply(AccessControlListDecisions.Handle(acl, Revoke("dave", Permission.EditAccessControl)));

        Assert.True(after.Has("admin", Permission.EditAccessControl));
        ThenRejected(() => AccessControlListDecisions.Handle(after, Revoke("admin", Permission.EditAccessControl)), ErrorCodes.LastAdmin);
    }

    [Fact]
    public void GivenResourceListWithOneEditor_WhenRevokingIt_ThenItIsAcceptedBecauseOnlyThePortalNeedsAnAdmin()
    {
        var acl = GivenAcl(WalletAclCreated, Granted("dave", Permission.EditAccessControl, WalletAclId));

        var e = AccessControlListDecisions.Handle(acl, Revoke("dave", Permission.EditAccessControl, acl: WalletAclId));

        Assert.False(acl!.Apply(e).Has("dave", Permission.EditAccessControl));
    }

    [Theory]
    [InlineData("", "why", "principal")]
    [InlineData("alice", "", "reason")]
    public void GivenGrantedPermission_WhenRevokingWithoutPrincipalOrReason_ThenTheFieldIsRequired(string principal, string reason, string field)
    {
        ThenInvalid(() => AccessControlListDecisions.Handle(GivenAcl(PortalCreated, Granted("alice", Permission.GrantCredits)), Revoke(principal, Permission.GrantCredits, reason)), field);
    }

    [Fact]
    public void GivenNoList_WhenRevoking_ThenListNotFoundIsRejected()
    {
        ThenRejected(() => AccessControlListDecisions.Handle(GivenAcl(), Revoke("alice", Permission.ReadWallets)), ErrorCodes.NotFound);
    }
}
