namespace AuditPortal.IntegrationTests.AccessControl;

/// <summary>A database of its own: here the bootstrap admin must stay the portal's only admin.</summary>
public class PortalLastAdminTests(PortalHostFixture fixture) : AccessControlTestBase(fixture), IClassFixture<PortalHostFixture>
{
    [Fact]
    public async Task Given_the_only_portal_admin_When_revoking_their_edit_right_Then_rejected_and_the_view_still_shows_them()
    {
        var result = await Acl.RevokeAsync(Admin, Guid.CreateVersion7(), Resources.PortalAclId, PortalHostFixture.Admin, Permission.EditAccessControl, "leaving", null);

        Assert.Equal((CommandStatus.Rejected, ErrorCodes.LastAdmin), (result.Status, result.ErrorCode));
        Assert.True((await LoadAsync(Resources.PortalAclId))!.Has(PortalHostFixture.Admin, Permission.EditAccessControl));
    }
}
