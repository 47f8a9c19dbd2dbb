namespace AuditPortal.IntegrationTests.AccessControl;

/// <summary>The portal's host with a clock the tests move, so "the same minute" is the test's to decide.</summary>
public sealed class ReadRefusalFixture : PortalHostFixture
{
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 12, 1, 9, 0, 5, TimeSpan.Zero));

    protected override void Configure(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

/// <summary>
/// A read refused on the server is recorded like a refused command (who, what, which permission, when), coalesced per
/// user, resource and minute so that a page retried in a loop keeps storage bounded.
/// </summary>
public class ReadRefusalTests(ReadRefusalFixture fixture) : IClassFixture<ReadRefusalFixture>
{
    private async Task<List<ReadRefused>> RefusalsOfAsync(string user)
    {
        await using var query = fixture.Store.QuerySession();
        return (await query.Events.QueryRawEventDataOnly<ReadRefused>().Where(e => e.UserName == user).ToListAsync()).ToList();
    }

    [Fact]
    public async Task Given_a_user_without_ReadWallets_When_they_are_refused_500_times_in_a_minute_Then_one_refusal_per_resource_and_minute_is_recorded()
    {
        var user = "mallory-" + Guid.CreateVersion7().ToString("N")[..8];
        var wallets = new WalletQueries(fixture.Store, new FixedActor(PortalHostFixture.Actor(user)));
        var walletId = Guid.CreateVersion7();

        for (var i = 0; i < 500; i++)
            await Assert.ThrowsAsync<AccessDeniedException>(() => wallets.ListAsync(new WalletListQuery()));
        var afterLoop = await RefusalsOfAsync(user);
        await Assert.ThrowsAsync<AccessDeniedException>(() => wallets.GetAsync(walletId));
        await Assert.ThrowsAsync<AccessDeniedException>(() => wallets.GetAsync(walletId));
        var otherResource = await RefusalsOfAsync(user);
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        await Assert.ThrowsAsync<AccessDeniedException>(() => wallets.ListAsync(new WalletListQuery()));

        var refused = Assert.Single(afterLoop);
        Assert.Equal(("wallets", Permission.ReadWallets, fixture.Clock.GetUtcNow().AddMinutes(-1)), (refused.Resource, refused.MissingPermission, refused.RefusedAt));
        // A query over the events without an order: compared as a set (the access log below checks the order).
        Assert.Equal(new[] { "wallets", Resources.Wallet(walletId) }.Order(StringComparer.Ordinal), otherResource.Select(r => r.Resource).Order(StringComparer.Ordinal));
        // On the user's access log, where refused commands are, in the order they happened.
        var log = await fixture.EventsAsync(AccessLog.StreamIdFor(user));
        Assert.Equal(["wallets", Resources.Wallet(walletId), "wallets"], log.Select(e => Assert.IsType<ReadRefused>(e.Data).Resource));
        Assert.All(log, e => Assert.Equal(user, e.UserName));
        // Every read model goes on past the new event type (a projection stops on an event it cannot apply).
        await fixture.WaitForProjectionsAsync();
    }

    [Fact]
    public async Task Given_a_second_node_that_has_not_seen_the_refusal_When_the_same_user_is_refused_the_same_read_that_minute_Then_the_database_keeps_one()
    {
        var user = "trudy-" + Guid.CreateVersion7().ToString("N")[..8];
        await Assert.ThrowsAsync<AccessDeniedException>(() => new JobQueriesFor(fixture.Store, user).ListAsync());
        using var other = await ReliabilityHost.StartAsync(fixture.ConnectionString, DaemonMode.Disabled, configure: s => s.AddSingleton<TimeProvider>(fixture.Clock));
        var otherStore = other.Services.GetRequiredService<IDocumentStore>();

        await Assert.ThrowsAsync<AccessDeniedException>(() => new JobQueriesFor(otherStore, user).ListAsync());

        Assert.Equal(["jobs"], (await RefusalsOfAsync(user)).Select(r => r.Resource));
        await other.StopAsync();
    }

    [Fact]
    public async Task Given_nobody_signed_in_When_a_read_is_refused_Then_nothing_is_recorded()
    {
        var feed = new AuditFeed(fixture.Store, new FixedActor(PortalHostFixture.Actor("")));

        await Assert.ThrowsAsync<AccessDeniedException>(() => feed.QueryAsync(AuditFilter.None));

        Assert.Empty(await RefusalsOfAsync(""));
    }

    [Fact]
    public async Task Given_support_without_ExportAudit_When_an_export_read_is_refused_Then_it_is_recorded()
    {
        var user = "sue-" + Guid.CreateVersion7().ToString("N")[..8];
        await fixture.GrantPersonaAsync(user, Personas.Support);
        var feed = new AuditFeed(fixture.Store, new FixedActor(PortalHostFixture.Actor(user)));

        await Assert.ThrowsAsync<AccessDeniedException>(async () => { await foreach (var _ in feed.ReadAllAsync(AuditFilter.None)) { } });

        var refused = Assert.Single(await RefusalsOfAsync(user));
        Assert.Equal((AuditFeed.ExportResource, Permission.ExportAudit), (refused.Resource, refused.MissingPermission));
    }

    private sealed class JobQueriesFor(IDocumentStore store, string user)
    {
        public Task ListAsync() => new Core.Jobs.JobQueries(store, new FixedActor(PortalHostFixture.Actor(user))).ListAsync(new Core.Jobs.JobListQuery());
    }
}
