namespace AuditPortal.IntegrationTests.AccessControl;

/// <summary>What the access-control test classes share: the service, the bootstrap admin and the inline list view.</summary>
public abstract class AccessControlTestBase(PortalHostFixture fixture)
{
    protected PortalHostFixture Fixture { get; } = fixture;
    protected AccessControlService Acl => Fixture.Get<AccessControlService>();
    protected static Actor Admin => PortalHostFixture.Actor(PortalHostFixture.Admin);

    protected async Task<AccessControlListView?> LoadAsync(Guid id)
    {
        await using var query = Fixture.Store.QuerySession();
        return await query.LoadAsync<AccessControlListView>(id);
    }
}
