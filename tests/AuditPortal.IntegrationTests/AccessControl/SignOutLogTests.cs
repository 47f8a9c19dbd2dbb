namespace AuditPortal.IntegrationTests.AccessControl;

/// <summary>
/// Sign-outs go through the event store, so every portal node on the database reads them (SignOutSync on each node
/// asks <see cref="SignOutLog.LatestSinceAsync"/>); nothing here is kept in the memory of the node that recorded them.
/// </summary>
public class SignOutLogTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    private readonly string _user = $"so{Guid.NewGuid():N}"[..12];

    [Fact]
    public async Task Given_a_user_who_signs_out_twice_When_another_node_reads_the_sign_outs_Then_it_sees_the_later_one_on_the_users_access_log()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var recorder = new SignOutLog(fixture.Store, TimeProvider.System);
        var first = await recorder.RecordAsync(_user, "corr-1");
        var second = await recorder.RecordAsync(_user.ToUpperInvariant(), "corr-2");

        // A separate reader over the same database, as another node's is.
        var latest = await new SignOutLog(fixture.Store, TimeProvider.System).LatestSinceAsync(before);

        Assert.True(second > first);
        Assert.Equal(second, latest[_user]);
        await using var query = fixture.Store.QuerySession();
        var events = await query.Events.FetchStreamAsync(AccessLog.StreamIdFor(_user));
        Assert.Equal([typeof(UserSignedOut), typeof(UserSignedOut)], events.Select(e => e.EventType));
        Assert.Equal(["corr-1", "corr-2"], events.Select(e => e.CorrelationId));
        var log = await query.Events.AggregateStreamAsync<AccessLog>(AccessLog.StreamIdFor(_user));
        Assert.Equal((0, second), (log!.Denials, log.LastSignedOutAt));
    }

    [Fact]
    public async Task Given_a_sign_out_before_the_window_When_reading_Then_it_is_not_returned()
    {
        await new SignOutLog(fixture.Store, TimeProvider.System).RecordAsync(_user, "corr-old");

        var latest = await new SignOutLog(fixture.Store, TimeProvider.System).LatestSinceAsync(DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.False(latest.ContainsKey(_user));
    }

    [Fact]
    public async Task Given_a_refused_command_and_a_sign_out_of_one_user_at_once_When_both_are_recorded_Then_both_land_on_the_access_log()
    {
        var walletId = Guid.CreateVersion7();
        var spend = fixture.Get<WalletService>().SpendAsync(PortalHostFixture.Actor(_user), Guid.CreateVersion7(), walletId, 1, "no right", null);
        var signOut = new SignOutLog(fixture.Store, TimeProvider.System).RecordAsync(_user, "corr-race");
        await Task.WhenAll(spend, signOut);

        await using var query = fixture.Store.QuerySession();
        var events = await query.Events.FetchStreamAsync(AccessLog.StreamIdFor(_user));
        Assert.Equal(2, events.Count);
        Assert.Contains(events, e => e.Data is UserSignedOut);
        Assert.Contains(events, e => e.Data is CommandDenied);
    }
}
