namespace AuditPortal.IntegrationTests.Wallets;

public class WalletProjectionTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>, IAsyncLifetime
{
    private readonly Guid _walletId = Guid.CreateVersion7();
    private readonly Guid _emptyWalletId = Guid.CreateVersion7();
    private WalletService Wallets => fixture.Get<WalletService>();

    public async Task InitializeAsync()
    {
        await fixture.GrantPersonaAsync("alice", Personas.Support);
        await fixture.GrantPersonaAsync("sam", Personas.Support);
        var alice = PortalHostFixture.Actor("alice");
        var sam = PortalHostFixture.Actor("sam");
        Assert.True((await Wallets.OpenAsync(alice, Guid.CreateVersion7(), _walletId, "dana")).Succeeded);
        Assert.True((await Wallets.GrantAsync(alice, Guid.CreateVersion7(), _walletId, 10, "welcome", 1)).Succeeded);
        Assert.True((await Wallets.SpendAsync(sam, Guid.CreateVersion7(), _walletId, 3, "featured listing", 2)).Succeeded);
        Assert.True((await Wallets.OpenAsync(alice, Guid.CreateVersion7(), _emptyWalletId, "erik")).Succeeded);
        await fixture.WaitForProjectionsAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Given_grant_and_spend_When_the_daemon_catches_up_Then_wallet_summary_has_balance_totals_version_and_last_actor()
    {
        await using var query = fixture.Store.QuerySession();
        var summary = await query.LoadAsync<WalletSummary>(_walletId);

        Assert.NotNull(summary);
        Assert.Equal(("dana", 7, 3L, 2, 10L, 3L, "sam"),
            (summary.Owner, summary.Balance, summary.Version, summary.TransactionCount, summary.TotalGranted, summary.TotalSpent, summary.LastChangedBy));
        Assert.True(summary.LastChangedAt >= summary.OpenedAt);
    }

    [Fact]
    public async Task Given_grant_and_spend_When_the_daemon_catches_up_Then_each_movement_is_one_wallet_transaction()
    {
        var lines = await Sql.TransactionsAsync(fixture.ConnectionString, _walletId);

        Assert.Equal(2, lines.Count);
        Assert.Equal((TransactionKind.Grant, 10, GrantTypes.Manual, "alice", "welcome", 2L), (lines[0].Kind, lines[0].Amount, lines[0].Type, lines[0].Actor, lines[0].Reason, lines[0].Version));
        Assert.Equal((TransactionKind.Spend, 3, SpendTypes.Manual, "sam", "featured listing", 3L), (lines[1].Kind, lines[1].Amount, lines[1].Type, lines[1].Actor, lines[1].Reason, lines[1].Version));
        Assert.All(lines, l => Assert.Null(l.JobId));
        Assert.True(lines[0].Sequence < lines[1].Sequence);
        Assert.Contains(await fixture.Store.Advanced.AllProjectionProgress(), p => p.ShardName == "WalletTransaction:All");
    }

    [Fact]
    public async Task Given_grant_and_spend_When_querying_account_projection_with_plain_sql_Then_only_wallets_with_credits_are_listed()
    {
        var balances = await Sql.PositiveBalancesAsync(fixture.ConnectionString);

        Assert.Equal(7, balances[_walletId]);
        Assert.False(balances.ContainsKey(_emptyWalletId));
        var owner = await Sql.QueryAsync(fixture.ConnectionString, "select owner, credits from account_projection where aggregate_id = @id",
            r => (r.GetString(0), r.GetInt32(1)), ("id", _emptyWalletId));
        Assert.Equal([("erik", 0)], owner);
    }
}
