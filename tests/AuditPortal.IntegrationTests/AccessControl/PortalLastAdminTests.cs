using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Common;
using AuditPortal.IntegrationTests.Infrastructure;
using Marten;

namespace AuditPortal.IntegrationTests.AccessControl;

/// <summary>A database of its own: here the bootstrap admin must stay the portal's only admin.</summary>
public class PortalLastAdminTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    private AccessControlService Acl => fixture.Get<AccessControlService>();
    private static Actor Admin => PortalHostFixture.Actor(PortalHostFixture.Admin);

    private async Task<AccessControlListView?> LoadAsync(Guid id)
    {
        await using var query = fixture.Store.QuerySession();
        return await query.LoadAsync<AccessControlListView>(id);
    }

    [Fact]
    public async Task GivenTheOnlyPortalAdmin_WhenRevokingTheirEditRight_ThenRejectedAndTheViewStillShowsThem()
    {
        var result = await Acl.RevokeAsync(Admin, Guid.CreateVersion7(), Resources.PortalAclId, PortalHostFixture.Admin, Permission.EditAccessControl, "leaving", null);

        Assert.Equal((CommandStatus.Rejected, ErrorCodes.LastAdmin), (result.Status, result.ErrorCode));
        Assert.True((await LoadAsync(Resources.PortalAclId))!.Has(PortalHostFixture.Admin, Permission.EditAccessControl));
    }
}
