namespace AuditPortal.IntegrationTests.Wallets;

public class AccountProjectionTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    [Fact]
    public async Task Given_the_blog_example_When_one_credit_is_granted_and_spent_on_a_job_launch_Then_zero_credits_remain()
    {
        var jobId = Guid.Parse("9348e9b3-43b8-4531-b79c-d70d0cb66ba0");
        var walletId = await fixture.SupportWalletAsync(1);
        await using (var session = fixture.Store.LightweightSession())
        {
            // The job-launch spend as the job module records it, with the job id in its metadata.
            var stream = await session.Events.FetchForWriting<Wallet>(walletId);
            stream.AppendOne(WalletDecisions.Handle(stream.Aggregate,
                new SpendCredits(walletId, 1, "Launch", Guid.CreateVersion7(), "alice", DateTimeOffset.UtcNow, Type: SpendTypes.JobLaunch, TypeMetadata: new TypeMetadata(jobId)),
                WalletLimits.Default));
            await session.SaveChangesAsync();
        }
        await fixture.WaitForProjectionsAsync();

        var events = await fixture.EventsAsync(walletId);
        Assert.Equal(3, events.Count);
        var granted = Assert.IsType<CreditsGranted>(events[1].Data);
        Assert.Equal(1, granted.Amount);
        var spent = Assert.IsType<CreditsSpent>(events[2].Data);
        Assert.Equal((1, SpendTypes.JobLaunch, jobId), (spent.Amount, spent.Type, spent.TypeMetadata!.JobId!.Value));
        Assert.Equal("alice", events[1].UserName);

        Assert.Equal(0, await Sql.ScalarAsync<int>(fixture.ConnectionString, "select credits from account_projection where aggregate_id = @id", ("id", walletId)));
    }
}
