namespace AuditPortal.IntegrationTests.Audit;

public class StreamStateTests(SeededAuditFixture fixture) : IClassFixture<SeededAuditFixture>
{
    private StreamStateQueries Feed => new(fixture.Store, new FixedActor(Actor.System("stream-state-test")));

    [Fact]
    public async Task Given_a_wallet_When_asking_the_state_as_of_the_grant_Then_the_balance_change_is_the_diff()
    {
        var state = await Feed.StateAtAsync(fixture.AliceWallet, 2);

        Assert.NotNull(state);
        Assert.Equal(("Wallet", 2L, 2L), (state.AggregateName, state.Version, state.StreamVersion));
        Assert.Contains("\"balance\": 5", state.StateJson);
        var balance = Assert.Single(state.Changes, c => c.Property == "balance");
        Assert.Equal(("0", "5"), (balance.Before, balance.After));
        Assert.Contains(state.Changes, c => c.Property == "lastChangedAt");
        Assert.DoesNotContain(state.Changes, c => c.Property is "owner" or "id");
    }

    [Fact]
    public async Task Given_the_first_event_When_asking_its_state_Then_every_property_is_new()
    {
        var state = await Feed.StateAtAsync(fixture.SamWallet, 1);

        Assert.NotNull(state);
        Assert.All(state.Changes, c => Assert.Null(c.Before));
        Assert.Contains(state.Changes, c => c.Property == "owner" && c.After == "erin");
    }

    [Fact]
    public async Task Given_the_portal_acl_When_asking_the_state_as_of_a_grant_Then_the_entries_list_shows_as_values()
    {
        var state = await Feed.StateAtAsync(Resources.PortalAclId, 2);

        Assert.NotNull(state);
        Assert.Equal("AccessControlList", state.AggregateName);
        var entries = Assert.Single(state.Changes);
        Assert.Equal("entries", entries.Property);
        Assert.Equal("[]", entries.Before);
        Assert.Contains("root-admin", entries.After);
    }

    [Fact]
    public async Task Given_a_job_When_asking_the_state_Then_it_folds_the_job()
    {
        var state = await Feed.StateAtAsync(fixture.JobId, 1);

        Assert.NotNull(state);
        Assert.Equal("Job", state.AggregateName);
        Assert.Contains(state.Changes, c => c.Property == "title" && c.After == "Logo, \"v2\"");
    }

    [Fact]
    public async Task Given_an_unknown_stream_or_a_version_beyond_the_stream_When_its_state_is_asked_Then_there_is_none()
    {
        Assert.Null(await Feed.StateAtAsync(Guid.NewGuid(), 1));
        Assert.Null(await Feed.StateAtAsync(fixture.AliceWallet, 99));
        Assert.Null(await Feed.StateAtAsync(fixture.AliceWallet, 0));
    }
}
