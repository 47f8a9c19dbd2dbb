namespace AuditPortal.IntegrationTests.AccessControl;

/// <summary>The one display-name lookup (SignInLog.DisplayNamesAsync) and the audit feed that shows its names.</summary>
public class DisplayNameTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    [Fact]
    public async Task Given_a_single_sign_on_user_who_acted_When_the_feed_is_read_Then_the_page_carries_their_latest_display_name_and_the_actor_stays_the_subject()
    {
        await fixture.GrantPersonaAsync("dn-auditor", Personas.Auditor);
        await fixture.GrantPersonaAsync("grace@idp.example", Personas.Support);
        var signIns = fixture.Get<SignInLog>();
        await signIns.SignedInAsync("grace@idp.example", "G. Hopper", "oidc", null, "c1");
        await signIns.SignedInAsync("Grace@idp.example", "Grace Hopper", "oidc", null, "c2");
        await signIns.SignedInAsync("dn-plain", "dn-plain", "password", null, "c3");
        var walletId = Guid.CreateVersion7();
        Assert.True((await fixture.Get<WalletService>().OpenAsync(PortalHostFixture.Actor("grace@idp.example"), Guid.CreateVersion7(), walletId, "dn-owner")).Succeeded);

        var page = await new AuditFeed(fixture.Store, new FixedActor(PortalHostFixture.Actor("dn-auditor"))).QueryAsync(new AuditFilter { StreamId = walletId });

        var opened = Assert.Single(page.Entries);
        Assert.Equal("grace@idp.example", opened.Actor);
        Assert.Equal("Grace Hopper", page.DisplayNameOf(opened.Actor));
        await using var query = fixture.Store.QuerySession();
        var names = await SignInLog.DisplayNamesAsync(query, ["GRACE@idp.example", "dn-plain", "dn-never", "system:bootstrap"], CancellationToken.None);
        // Only where a name is known and says more than the subject; system actors are never looked up.
        Assert.Equal(new Dictionary<string, string> { ["grace@idp.example"] = "Grace Hopper" }, names);
    }

    [Fact]
    public async Task Given_a_single_sign_on_user_who_acted_When_the_feed_is_exported_Then_the_name_column_and_field_carry_the_display_name_beside_the_subject()
    {
        await fixture.GrantPersonaAsync("dx-auditor", Personas.Auditor);
        await fixture.GrantPersonaAsync("lin@idp.example", Personas.Support);
        await fixture.Get<SignInLog>().SignedInAsync("lin@idp.example", "Lin Chen", "oidc", null, "c1");
        var walletId = Guid.CreateVersion7();
        Assert.True((await fixture.Get<WalletService>().OpenAsync(PortalHostFixture.Actor("lin@idp.example"), Guid.CreateVersion7(), walletId, "dx-owner")).Succeeded);
        var feed = new AuditFeed(fixture.Store, new FixedActor(PortalHostFixture.Actor("dx-auditor")));
        var filter = new AuditFilter { StreamId = walletId };
        using var csv = new MemoryStream();
        using var json = new MemoryStream();

        Assert.Equal(1, await AuditExport.WriteCsvAsync(feed.ReadAllAsync(filter), csv, await feed.ExportDisplayNamesAsync()));
        await AuditExport.WriteJsonAsync(feed.ReadAllAsync(filter), json, await feed.ExportDisplayNamesAsync());

        var row = System.Text.Encoding.UTF8.GetString(csv.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[1].Split(',');
        Assert.Equal(("lin@idp.example", "Lin Chen"), (row[2], row[3]));
        using var doc = System.Text.Json.JsonDocument.Parse(json.ToArray());
        Assert.Equal("Lin Chen", Assert.Single(doc.RootElement.EnumerateArray()).GetProperty("actorName").GetString());
        // The lookup is part of the export: only for those who may export.
        await Assert.ThrowsAsync<AccessDeniedException>(() => new AuditFeed(fixture.Store, new FixedActor(PortalHostFixture.Actor("lin@idp.example"))).ExportDisplayNamesAsync());
    }
}

/// <summary>The approvals list carries the same names (one lookup for the page).</summary>
public class ApprovalDisplayNameTests(AuditPortal.IntegrationTests.Approvals.ApprovalsFixture fixture) : IClassFixture<AuditPortal.IntegrationTests.Approvals.ApprovalsFixture>
{
    [Fact]
    public async Task Given_a_request_by_a_single_sign_on_user_When_an_approver_lists_requests_Then_the_page_names_the_requester_by_display_name_and_subject()
    {
        await fixture.GrantPersonaAsync("an-lin@idp.example", Personas.Support);
        await fixture.GrantAsync("an-sam", [.. Personas.Support, Permission.ApproveChanges]);
        await fixture.Get<SignInLog>().SignedInAsync("an-lin@idp.example", "Lin Chen", "oidc", null, "c1");
        var walletId = await fixture.SupportWalletAsync(100, owner: "an-dana", support: "an-lin@idp.example");
        var asked = await fixture.Get<WalletService>().GrantAsync(PortalHostFixture.Actor("an-lin@idp.example"), Guid.CreateVersion7(), walletId, 5000, "refund", null);
        Assert.Contains("waits for approval", asked.Message);

        var page = await new AuditPortal.Core.Approvals.ApprovalQueries(fixture.Store, new FixedActor(PortalHostFixture.Actor("an-sam")))
            .ListAsync(new AuditPortal.Core.Approvals.ApprovalListQuery(AuditPortal.Core.Approvals.ApprovalView.All));

        var request = Assert.Single(page.Items, r => r.Id == asked.StreamId);
        Assert.Equal("an-lin@idp.example", request.RequestedBy);
        Assert.Equal("Lin Chen (an-lin@idp.example)", page.Person(request.RequestedBy));
    }
}
