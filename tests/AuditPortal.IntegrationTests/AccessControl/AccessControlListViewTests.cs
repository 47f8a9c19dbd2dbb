namespace AuditPortal.IntegrationTests.AccessControl;

/// <summary>The list view is inline: every assertion here reads right after the command, without waiting for the daemon.</summary>
public class AccessControlListViewTests(PortalHostFixture fixture) : AccessControlTestBase(fixture), IClassFixture<PortalHostFixture>
{
    [Fact]
    public async Task Given_a_new_resource_list_When_granting_and_revoking_Then_the_view_shows_each_change_immediately()
    {
        var aclId = Guid.CreateVersion7();
        var walletId = Guid.CreateVersion7();

        Assert.True((await Acl.CreateAsync(Admin, Guid.CreateVersion7(), aclId, Resources.Wallet(walletId), "per-wallet rights")).Succeeded);
        var created = await LoadAsync(aclId);
        Assert.Equal((Resources.Wallet(walletId), 1L, 0), (created!.Resource, created.Version, created.Entries.Count));

        var granted = await Acl.GrantAsync(Admin, Guid.CreateVersion7(), aclId, "olivia", Permission.ReadWallets, "account owner", 1);
        Assert.Equal(2, granted.Version);
        var afterGrant = await LoadAsync(aclId);
        var entry = Assert.Single(afterGrant!.Entries);
        Assert.Equal(("olivia", Permission.ReadWallets, PortalHostFixture.Admin, "account owner", 2L),
            (entry.Principal, entry.Permission, entry.GrantedBy, entry.Reason, afterGrant.Version));

        Assert.True((await Acl.RevokeAsync(Admin, Guid.CreateVersion7(), aclId, "OLIVIA", Permission.ReadWallets, "account closed", 2)).Succeeded);
        var afterRevoke = await LoadAsync(aclId);
        Assert.Equal((0, 3L), (afterRevoke!.Entries.Count, afterRevoke.Version));
    }

    [Fact]
    public async Task Given_a_support_user_When_their_spend_right_is_revoked_Then_the_very_next_spend_is_forbidden()
    {
        await Fixture.GrantPersonaAsync("bob", Personas.Support);
        var wallets = Fixture.Get<WalletService>();
        var walletId = Guid.CreateVersion7();
        Assert.True((await wallets.OpenAsync(PortalHostFixture.Actor("bob"), Guid.CreateVersion7(), walletId, "dana")).Succeeded);
        Assert.True((await wallets.GrantAsync(PortalHostFixture.Actor("bob"), Guid.CreateVersion7(), walletId, 5, "welcome", null)).Succeeded);

        Assert.True((await Acl.RevokeAsync(Admin, Guid.CreateVersion7(), Resources.PortalAclId, "bob", Permission.SpendCredits, "moved to sales", null)).Succeeded);
        var spend = await wallets.SpendAsync(PortalHostFixture.Actor("bob"), Guid.CreateVersion7(), walletId, 1, "after the revocation", null);

        Assert.Equal(CommandStatus.Forbidden, spend.Status);
        Assert.False((await LoadAsync(Resources.PortalAclId))!.Has("bob", Permission.SpendCredits));
    }

    [Fact]
    public async Task Given_a_second_admin_When_the_first_admin_is_revoked_Then_the_second_can_still_edit_lists()
    {
        await Fixture.GrantPersonaAsync("dave", Personas.Admin);
        await Fixture.GrantPersonaAsync("temp-admin", Personas.Admin);

        Assert.True((await Acl.RevokeAsync(PortalHostFixture.Actor("dave"), Guid.CreateVersion7(), Resources.PortalAclId, "temp-admin", Permission.EditAccessControl, "temporary", null)).Succeeded);
        var view = await LoadAsync(Resources.PortalAclId);

        Assert.False(view!.Has("temp-admin", Permission.EditAccessControl));
        Assert.True(view.Has("dave", Permission.EditAccessControl));
    }

    [Fact]
    public async Task Given_a_stale_list_version_When_granting_Then_conflict_and_nothing_changes()
    {
        var aclId = Guid.CreateVersion7();
        Assert.True((await Acl.CreateAsync(Admin, Guid.CreateVersion7(), aclId, "job:stale", "test")).Succeeded);
        Assert.True((await Acl.GrantAsync(Admin, Guid.CreateVersion7(), aclId, "olivia", Permission.ReadJobs, "owner", 1)).Succeeded);

        var stale = await Acl.GrantAsync(Admin, Guid.CreateVersion7(), aclId, "paul", Permission.ReadJobs, "participant", 1);

        Assert.Equal(CommandStatus.Conflict, stale.Status);
        Assert.Equal(["olivia"], (await LoadAsync(aclId))!.Principals);
    }
}
