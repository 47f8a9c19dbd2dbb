namespace AuditPortal.IntegrationTests.Reliability;

/// <summary>The same command id sent 20 times records one event, whether the copies arrive one after another or all at once.</summary>
public sealed class IdempotencyTests(PortalHostFixture fixture, ITestOutputHelper output) : IClassFixture<PortalHostFixture>
{
    private const int Copies = 20;

    private async Task<(WalletService Wallets, Actor Alice, Guid WalletId)> WalletAsync() =>
        (fixture.Get<WalletService>(), PortalHostFixture.Actor("alice"), await fixture.SupportWalletAsync(100));

    private async Task<int> EventsOfCommandAsync(Guid walletId, Guid commandId)
    {
        var events = await fixture.EventsAsync(walletId);
        return events.Count(e => e.CausationId == commandId.ToString());
    }

    private void Print(string what, IReadOnlyCollection<CommandResult> results, int events) =>
        output.WriteLine($"{what}: {Copies} copies -> {string.Join(", ", results.GroupBy(r => r.Status).Select(g => $"{g.Count()} {g.Key}"))}; {events} event(s) recorded");

    [Fact]
    public async Task Given_one_command_id_When_sent_20_times_in_sequence_Then_one_event_and_the_same_answer()
    {
        var (wallets, alice, walletId) = await WalletAsync();
        var commandId = Guid.CreateVersion7();
        var results = new List<CommandResult>();
        for (var i = 0; i < Copies; i++) results.Add(await wallets.SpendAsync(alice, commandId, walletId, 7, "double click", 2));

        var events = await EventsOfCommandAsync(walletId, commandId);
        Print("in sequence", results, events);
        Assert.Equal(1, events);
        Assert.All(results, r => Assert.Equal(results[0], r));
        Assert.Equal(CommandStatus.Accepted, results[0].Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Given_one_command_id_When_sent_20_times_in_parallel_Then_one_event_is_recorded(bool withExpectedVersion)
    {
        var (wallets, alice, walletId) = await WalletAsync();
        var commandId = Guid.CreateVersion7();
        using var start = new ManualResetEventSlim();
        var copies = Enumerable.Range(0, Copies).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await wallets.SpendAsync(alice, commandId, walletId, 7, "retried request", withExpectedVersion ? 2 : null);
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(copies);

        var events = await EventsOfCommandAsync(walletId, commandId);
        Print(withExpectedVersion ? "in parallel, with expected version" : "in parallel, stream locked", results, events);
        Assert.Equal(1, events);
        // Every copy answers with the first outcome, whether it lost on the stream lock or on the version check.
        Assert.All(results, r => Assert.Equal(CommandStatus.Accepted, r.Status));
        await using var query = fixture.Store.QuerySession();
        Assert.Equal(93, (await query.Events.AggregateStreamAsync<Wallet>(walletId))!.Balance);
    }
}
