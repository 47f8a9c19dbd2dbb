using AuditPortal.Core.Projections;

namespace AuditPortal.IntegrationTests.Wallets;

public class WalletListQueryTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>, IAsyncLifetime
{
    private readonly string _owner = $"lq{Guid.NewGuid():N}"[..12];
    // alice holds ReadWallets (Support): the queries run their real permission check.
    private static readonly ICurrentActor Alice = new FixedActor(PortalHostFixture.Actor("alice"));

    public async Task InitializeAsync()
    {
        await fixture.GrantPersonaAsync("alice", Personas.Support);
        var wallets = fixture.Get<WalletService>();
        var alice = PortalHostFixture.Actor("alice");
        for (var i = 0; i < 12; i++)
        {
            var id = Guid.CreateVersion7();
            Assert.True((await wallets.OpenAsync(alice, Guid.CreateVersion7(), id, $"{_owner}-{i:D2}")).Succeeded);
            Assert.True((await wallets.GrantAsync(alice, Guid.CreateVersion7(), id, 10 + i, "seed", null)).Succeeded);
        }
        await fixture.WaitForProjectionsAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Given_fewer_matches_than_the_limit_When_listing_Then_the_total_is_exact_and_the_page_filtered_and_sorted()
    {
        var page = await new WalletQueries(fixture.Store, new PreviousReadModels(fixture.Store), Alice).ListAsync(
            new WalletListQuery(0, 5, nameof(WalletSummary.Balance), true, _owner, MinBalance: 14, MaxBalance: 20));

        Assert.Equal((7L, false), (page.TotalCount, page.TotalIsEstimate));
        Assert.Equal([20, 19, 18, 17, 16], page.Items.Select(x => x.Balance));
    }

    [Fact]
    public async Task Given_more_matches_than_the_limit_When_listing_Then_the_total_is_an_estimate_above_the_limit()
    {
        var page = await new WalletQueries(fixture.Store, new PreviousReadModels(fixture.Store), Alice, exactCountLimit: 5).ListAsync(
            new WalletListQuery(1, 5, nameof(WalletSummary.Balance), false, _owner));

        Assert.True(page.TotalIsEstimate);
        Assert.True(page.TotalCount > 5, $"total {page.TotalCount}");
        Assert.Equal([15, 16, 17, 18, 19], page.Items.Select(x => x.Balance));
    }

    [Fact]
    public async Task Given_exactly_the_limit_When_listing_Then_the_total_is_still_exact()
    {
        var page = await new WalletQueries(fixture.Store, new PreviousReadModels(fixture.Store), Alice, exactCountLimit: 12).ListAsync(new WalletListQuery(0, 50, OwnerContains: _owner));

        Assert.Equal((12L, false), (page.TotalCount, page.TotalIsEstimate));
        Assert.Equal(12, page.Items.Count);
    }

    [Fact]
    public async Task Given_wallets_changed_one_after_another_When_listing_changed_since_a_moment_Then_only_the_later_ones_come_latest_first()
    {
        var queries = new WalletQueries(fixture.Store, new PreviousReadModels(fixture.Store), Alice);
        var all = await queries.ListAsync(new WalletListQuery(0, 50, nameof(WalletSummary.LastChangedAt), false, _owner));
        // Between the sixth and the seventh change: each grant is its own round trip, so they are milliseconds apart.
        var since = all.Items[5].LastChangedAt + (all.Items[6].LastChangedAt - all.Items[5].LastChangedAt) / 2;

        var page = await queries.ListAsync(new WalletListQuery(0, 50, nameof(WalletSummary.LastChangedAt), true, _owner, ChangedSince: since));

        Assert.Equal(all.Items.Skip(6).Reverse().Select(x => x.Id), page.Items.Select(x => x.Id));
        Assert.Equal(6L, page.TotalCount);
    }
}
