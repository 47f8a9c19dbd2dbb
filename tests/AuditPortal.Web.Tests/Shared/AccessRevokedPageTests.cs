namespace AuditPortal.Web.Tests.Shared;

/// <summary>
/// A page whose service refuses the caller (permission revoked while the page was open) shows the refusal instead
/// of data, and its live refresh stops: the next change does not reach the service again.
/// </summary>
public class AccessRevokedPageTests : PageTestContext
{
    private const string Refusal = "You no longer have access";
    private readonly ScriptedAccessControlReads _acl = new();

    protected override void AddServices()
    {
        base.AddServices();
        Services.AddSingleton<IAccessControlReads>(_acl);
    }

    /// <summary>Answers one portal list, or refuses, or reports a tamper, as told.</summary>
    private sealed class ScriptedAccessControlReads : IAccessControlReads
    {
        public bool Revoked { get; set; }
        public string? Tamper { get; set; }

        private static readonly AccessControlListView Portal = new()
        {
            Id = Resources.PortalAclId, Resource = Resources.Portal,
            Entries = [new AccessControlViewEntry { Principal = "admin", Permission = Permission.EditAccessControl }],
        };

        public Task<IReadOnlyList<AccessControlListView>> ListAsync(CancellationToken ct = default) =>
            Revoked ? throw new AccessDeniedException(Permission.ReadAudit) : Task.FromResult<IReadOnlyList<AccessControlListView>>([Portal]);

        public Task<AccessControlListView?> GetAsync(Guid id, CancellationToken ct = default) =>
            Revoked ? throw new AccessDeniedException(Permission.ReadAudit) : Task.FromResult<AccessControlListView?>(Portal);

        public Task<string?> IntegrityProblemAsync(CancellationToken ct = default) => Task.FromResult(Tamper);
    }

    [Fact]
    public void Given_the_access_control_page_When_the_service_refuses_Then_the_refusal_replaces_the_lists()
    {
        _acl.Revoked = true;

        var cut = Render<AccessControlListsPage>();

        cut.WaitForAssertion(() => Assert.Contains(Refusal, cut.Find("#acl-denied").TextContent));
        Assert.Empty(cut.FindAll("#acl-list"));
    }

    [Fact]
    public void Given_a_forged_ACL_read_model_When_the_access_control_page_opens_Then_it_shows_the_tamper()
    {
        _acl.Tamper = "Access-control list portal at version 37: the read model grants what no event granted: mallory EditAccessControl.";

        var cut = Render<AccessControlListsPage>();

        cut.WaitForAssertion(() => Assert.Contains("mallory EditAccessControl", cut.Find("#acl-tampered").TextContent));
        Assert.Single(cut.FindAll("#acl-list"));
    }

    [Fact]
    public async Task Given_an_open_wallet_When_ReadWallets_is_revoked_and_a_change_arrives_Then_the_page_shows_the_refusal_and_stops_refreshing()
    {
        var wallet = WalletReads.Add("carol", balance: 7);
        var cut = Render<WalletDetail>(p => p.Add(x => x.Id, wallet.Id.ToString()));
        Assert.Equal("7", cut.Find("#wallet-balance").TextContent.Trim());

        WalletReads.Revoked = true;
        await Changes.PublishAsync(new ReadModelChange(2, new HashSet<Guid> { wallet.Id }, new HashSet<Guid>()));

        cut.WaitForAssertion(() => Assert.Contains(Refusal, cut.Find("#wallet-load-error").TextContent));
        Assert.Empty(cut.FindAll("#wallet-balance"));
        var calls = WalletReads.GetCalls;
        await Changes.PublishAsync(new ReadModelChange(3, new HashSet<Guid> { wallet.Id }, new HashSet<Guid>()));
        Assert.Equal(calls, WalletReads.GetCalls);
        Assert.Equal(0, Changes.SubscriberCount);
    }

    [Fact]
    public void Given_the_wallet_list_When_the_service_refuses_Then_the_refusal_replaces_the_rows()
    {
        WalletReads.Add("carol", balance: 7);
        WalletReads.Revoked = true;
        RenderProviders();

        var cut = Render<WalletList>();

        cut.WaitForAssertion(() => Assert.Contains(Refusal, cut.Find("#wallet-list-error").TextContent));
        Assert.DoesNotContain("carol", cut.Markup);
        Assert.Equal(0, Changes.SubscriberCount);
    }

    [Fact]
    public async Task Given_an_open_job_When_ReadJobs_is_revoked_and_a_change_arrives_Then_the_page_shows_the_refusal_and_stops_refreshing()
    {
        var job = JobReads.Add("Logo", "carol");
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, job.Id.ToString()));
        cut.WaitForAssertion(() => Assert.Contains("Logo", cut.Markup));

        JobReads.Revoked = true;
        await Changes.PublishAsync(new ReadModelChange(2, new HashSet<Guid>(), new HashSet<Guid> { job.Id }));

        cut.WaitForAssertion(() => Assert.Contains(Refusal, cut.Find("#job-load-error").TextContent));
        Assert.DoesNotContain("Logo", cut.Markup);
        var calls = JobReads.GetCalls;
        await Changes.PublishAsync(new ReadModelChange(3, new HashSet<Guid>(), new HashSet<Guid> { job.Id }));
        Assert.Equal(calls, JobReads.GetCalls);
    }
}
