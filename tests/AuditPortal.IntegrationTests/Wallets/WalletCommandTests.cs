namespace AuditPortal.IntegrationTests.Wallets;

public class WalletCommandTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>, IAsyncLifetime
{
    private WalletService Wallets => fixture.Get<WalletService>();
    private static Actor Alice => PortalHostFixture.Actor("alice");

    public async Task InitializeAsync() => await fixture.GrantPersonaAsync("alice", Personas.Support);

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<Guid> OpenWithAsync(int credits) => fixture.SupportWalletAsync(credits);

    [Fact]
    public async Task Given_ten_credits_When_fifty_one_credit_spends_run_in_parallel_Then_exactly_ten_succeed_and_the_stream_stays_contiguous()
    {
        var walletId = await OpenWithAsync(10);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(() => Wallets.SpendAsync(PortalHostFixture.Actor("alice"), Guid.CreateVersion7(), walletId, 1, $"parallel spend {i}", null))));

        Assert.Equal(10, results.Count(r => r.Status == CommandStatus.Accepted));
        var rejected = results.Where(r => r.Status != CommandStatus.Accepted).ToList();
        Assert.Equal(40, rejected.Count);
        Assert.All(rejected, r => Assert.Equal((CommandStatus.Rejected, ErrorCodes.InsufficientCredits, "Not enough credits in wallet: balance 0, requested 1"), (r.Status, r.ErrorCode, r.Message)));
        var events = await fixture.EventsAsync(walletId);
        Assert.Equal(Enumerable.Range(1, 12).Select(v => (long)v), events.Select(e => e.Version));
        Assert.Equal(10, events.Count(e => e.Data is CreditsSpent));
        Assert.Equal(0, WalletHistory.Replay(events.Select(e => e.Data))!.Balance);
        Assert.Equal(Enumerable.Range(2, 10).Select(v => (long)v + 1).Order(), results.Where(r => r.Succeeded).Select(r => r.Version!.Value).Order());
    }

    [Fact]
    public async Task Given_a_stale_expected_version_When_spending_Then_conflict_shows_the_new_balance_and_nothing_is_recorded()
    {
        var walletId = await OpenWithAsync(10);
        const long seenVersion = 2;
        Assert.True((await Wallets.GrantAsync(PortalHostFixture.Actor("alice"), Guid.CreateVersion7(), walletId, 5, "another desk", seenVersion)).Succeeded);
        var commandId = Guid.CreateVersion7();

        var result = await Wallets.SpendAsync(Alice, commandId, walletId, 4, "based on an old screen", seenVersion);

        Assert.Equal(CommandStatus.Conflict, result.Status);
        Assert.Contains("balance is now 15", result.Message);
        Assert.Equal(3, result.Version);
        Assert.Equal(3, (await fixture.EventsAsync(walletId)).Count);
        await using var query = fixture.Store.QuerySession();
        Assert.Null(await query.LoadAsync<ProcessedCommand>(commandId));
    }

    [Fact]
    public async Task Given_the_right_expected_version_When_granting_Then_the_next_version_is_returned()
    {
        var walletId = await OpenWithAsync(10);

        var result = await Wallets.GrantAsync(Alice, Guid.CreateVersion7(), walletId, 5, "goodwill", 2);

        Assert.Equal((CommandStatus.Accepted, 3L), (result.Status, result.Version!.Value));
        Assert.Contains("balance is now 15", result.Message);
    }

    [Fact]
    public async Task Given_an_accepted_grant_When_the_same_command_id_is_sent_again_Then_one_event_and_the_same_result()
    {
        var walletId = await OpenWithAsync(0);
        var commandId = Guid.CreateVersion7();

        var first = await Wallets.GrantAsync(Alice, commandId, walletId, 5, "double click", null);
        var second = await Wallets.GrantAsync(Alice, commandId, walletId, 5, "double click", null);

        Assert.True(first.Succeeded);
        Assert.Equal(first, second);
        Assert.Single(await fixture.EventsAsync(walletId), e => e.Data is CreditsGranted);
    }

    [Fact]
    public async Task Given_the_same_command_id_sent_in_parallel_When_both_run_Then_one_event_and_the_same_result()
    {
        var walletId = await OpenWithAsync(20);
        var commandId = Guid.CreateVersion7();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => Wallets.SpendAsync(PortalHostFixture.Actor("alice"), commandId, walletId, 5, "retried request", null))));

        Assert.All(results, r => Assert.Equal(results[0], r));
        Assert.True(results[0].Succeeded);
        var events = await fixture.EventsAsync(walletId);
        Assert.Single(events, e => e.Data is CreditsSpent);
        Assert.Equal(15, WalletHistory.Replay(events.Select(e => e.Data))!.Balance);
    }

    [Fact]
    public async Task Given_a_never_opened_wallet_When_granting_or_spending_Then_rejected_and_no_stream_is_created()
    {
        var walletId = Guid.CreateVersion7();

        var grant = await Wallets.GrantAsync(Alice, Guid.CreateVersion7(), walletId, 5, "typo in the id", null);
        var spend = await Wallets.SpendAsync(Alice, Guid.CreateVersion7(), walletId, 5, "typo in the id", 1);

        Assert.Equal((CommandStatus.Rejected, ErrorCodes.NotFound), (grant.Status, grant.ErrorCode));
        Assert.Equal(CommandStatus.Rejected, spend.Status);
        await using var query = fixture.Store.QuerySession();
        Assert.Null(await query.Events.FetchStreamStateAsync(walletId));
        Assert.Empty(await query.Events.FetchStreamAsync(walletId));
    }

    [Fact]
    public async Task Given_an_open_wallet_When_opening_it_again_Then_rejected_and_the_stream_keeps_one_opening()
    {
        var walletId = await OpenWithAsync(0);

        var again = await Wallets.OpenAsync(Alice, Guid.CreateVersion7(), walletId, "mallory");

        Assert.Equal((CommandStatus.Rejected, ErrorCodes.WalletExists), (again.Status, again.ErrorCode));
        Assert.Single(await fixture.EventsAsync(walletId));
    }

    [Fact]
    public async Task Given_invalid_input_When_granting_Then_rejected_with_the_field_and_nothing_is_recorded()
    {
        var walletId = await OpenWithAsync(0);

        var zero = await Wallets.GrantAsync(Alice, Guid.CreateVersion7(), walletId, 0, "nothing", null);
        var noReason = await Wallets.GrantAsync(Alice, Guid.CreateVersion7(), walletId, 5, "  ", null);
        var tooMuch = await Wallets.GrantAsync(Alice, Guid.CreateVersion7(), walletId, WalletLimits.Default.MaxCreditsPerOperation + 1, "too much", null);

        Assert.Equal(("amount", "reason", "amount"), (zero.Field, noReason.Field, tooMuch.Field));
        Assert.All(new[] { zero, noReason, tooMuch }, r => Assert.Equal(CommandStatus.Rejected, r.Status));
        Assert.Single(await fixture.EventsAsync(walletId));
    }

    [Fact]
    public async Task Given_a_user_without_support_rights_When_granting_Then_forbidden_and_nothing_is_recorded()
    {
        var walletId = await OpenWithAsync(0);

        var result = await Wallets.GrantAsync(PortalHostFixture.Actor("mallory"), Guid.CreateVersion7(), walletId, 5, "self-service", null);

        Assert.Equal(CommandStatus.Forbidden, result.Status);
        Assert.Single(await fixture.EventsAsync(walletId));
    }

    [Fact]
    public async Task Given_a_command_When_it_is_recorded_Then_user_correlation_and_causation_are_stored_on_the_events()
    {
        var walletId = Guid.CreateVersion7();
        var openId = Guid.CreateVersion7();
        var grantId = Guid.CreateVersion7();
        var actor = new Actor("alice", "request-4711");

        Assert.True((await Wallets.OpenAsync(actor, openId, walletId, "dana")).Succeeded);
        Assert.True((await Wallets.GrantAsync(actor with { CorrelationId = "request-4712" }, grantId, walletId, 5, "goodwill", 1)).Succeeded);

        var events = await fixture.EventsAsync(walletId);
        Assert.Equal(("alice", "request-4711", openId.ToString()), (events[0].UserName, events[0].CorrelationId, events[0].CausationId));
        Assert.Equal(("alice", "request-4712", grantId.ToString()), (events[1].UserName, events[1].CorrelationId, events[1].CausationId));
        var stored = await Sql.QueryAsync(fixture.ConnectionString,
            "select user_name, correlation_id, causation_id from mt_events where stream_id = @id order by version",
            r => (r.GetString(0), r.GetString(1), r.GetString(2)), ("id", walletId));
        Assert.Equal([("alice", "request-4711", openId.ToString()), ("alice", "request-4712", grantId.ToString())], stored);
    }
}
