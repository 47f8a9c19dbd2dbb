namespace AuditPortal.IntegrationTests.Projections;

/// <summary>
/// The bulk pass writes a stream's rows once its last event (its version in mt_streams) is folded. A stream table that
/// disagrees with the events must stop the pass, never let a later event make a second, wrong row.
/// </summary>
public class ReadModelBulkRebuildStreamEndTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    [Fact]
    public async Task Given_a_wallet_whose_stream_version_is_behind_its_events_When_every_read_model_is_rebuilt_Then_it_stops_at_the_event_past_it_and_changes_nothing()
    {
        var id = await fixture.SupportWalletAsync(10);
        Assert.True((await fixture.Get<WalletService>().SpendAsync(PortalHostFixture.Actor("alice"), Guid.CreateVersion7(), id, 3, "the stream's last event", null)).Succeeded);
        await fixture.WaitForProjectionsAsync();
        var last = (await Sql.QueryAsync(fixture.ConnectionString, "select max(seq_id) from mt_events where stream_id = @id", r => r.GetInt64(0), ("id", id))).Single();
        await Sql.QueryAsync(fixture.ConnectionString, "update mt_streams set version = version - 1 where id = @id returning 1", r => r.GetInt32(0), ("id", id));
        var before = await ReadModelContents.ReadAsync(fixture.ConnectionString);

        var failure = await Assert.ThrowsAsync<BulkRebuildException>(() => new ReadModelBulkRebuild(fixture.Store).RunAsync(null, CancellationToken.None));

        Assert.Equal(last, failure.Sequence);
        Assert.Contains("past the stream's version in mt_streams", failure.Message);
        Assert.Equal(before, await ReadModelContents.ReadAsync(fixture.ConnectionString));
    }
}
