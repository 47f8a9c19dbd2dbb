using Marten.Events.Projections;

namespace AuditPortal.IntegrationTests.Wallets;

/// <summary>The two projections that write SQL per batch: rebuild wipes their rows, and a replayed batch counts nothing twice.</summary>
public class BatchProjectionTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    private WalletService Wallets => fixture.Get<WalletService>();

    private async Task<Guid> WalletAsync(params int[] movements)
    {
        var id = await fixture.SupportWalletAsync(0);
        await fixture.MoveCreditsAsync(id, movements.Select(m => (m, m > 0 ? "grant" : "spend")));
        await fixture.WaitForProjectionsAsync();
        return id;
    }

    private async Task<(int Credits, string Owner, long LastSequence)> AccountAsync(Guid id) =>
        (await Sql.QueryAsync(fixture.ConnectionString,
            "select credits, owner, last_sequence from account_projection where aggregate_id = @id",
            r => (r.GetInt32(0), r.GetString(1), r.GetInt64(2)), ("id", id))).Single();

    private async Task<long> TransactionCountAsync(Guid id) => (await Sql.TransactionsAsync(fixture.ConnectionString, id)).Count;

    private async Task ApplyAsync(IProjection projection, IReadOnlyList<IEvent> events)
    {
        await using var session = fixture.Store.LightweightSession();
        await projection.ApplyAsync(session, events, CancellationToken.None);
        await session.SaveChangesAsync();
    }

    private AccountProjection Accounts => new(fixture.Store.Options.DatabaseSchemaName);
    private WalletTransactionProjection Transactions => new(fixture.Store.Options.DatabaseSchemaName);

    [Fact]
    public async Task Given_an_applied_history_When_the_same_events_are_applied_again_Then_neither_balance_nor_history_counts_them_twice()
    {
        var id = await WalletAsync(10, -3, 5);
        var events = await fixture.EventsAsync(id);
        Assert.Equal((12, "dana", events[^1].Sequence), await AccountAsync(id));
        Assert.Equal(3, await TransactionCountAsync(id));

        await ApplyAsync(Accounts, events);
        await ApplyAsync(Transactions, events);

        Assert.Equal((12, "dana", events[^1].Sequence), await AccountAsync(id));
        Assert.Equal(3, await TransactionCountAsync(id));
    }

    [Fact]
    public async Task Given_a_batch_retried_with_more_events_When_applied_Then_only_the_new_events_count()
    {
        var id = await WalletAsync(10, -3, 5, -2);
        var events = await fixture.EventsAsync(id);
        await Sql.QueryAsync(fixture.ConnectionString, "delete from account_projection where aggregate_id = @id returning 1", r => 1, ("id", id));

        // A crash after the first half, then a retry whose batch overlaps what was already applied.
        await ApplyAsync(Accounts, events.Take(3).ToList());
        Assert.Equal(7, (await AccountAsync(id)).Credits);
        await ApplyAsync(Accounts, events);

        Assert.Equal((10, "dana", events[^1].Sequence), await AccountAsync(id));
    }

    [Fact]
    public async Task Given_stale_rows_When_both_projections_are_rebuilt_Then_they_equal_a_replay_of_the_events()
    {
        var id = await WalletAsync(10, -4);
        var ghost = Guid.CreateVersion7();
        await Sql.QueryAsync(fixture.ConnectionString,
            "update account_projection set credits = 999 where aggregate_id = @id; " +
            "insert into account_projection (aggregate_id, credits, owner) values (@ghost, 5, 'nobody') returning 1",
            r => 1, ("id", id), ("ghost", ghost));
        await Sql.QueryAsync(fixture.ConnectionString,
            "insert into wallet_transaction (sequence, id, wallet_id, version, kind, amount, type, actor, at, reason) " +
            "values (999999, gen_random_uuid(), @id, 99, 'Grant', 1000, 'manual', 'ghost', now(), 'stale') returning 1", r => 1, ("id", id));

        await fixture.GrantPersonaAsync("dave", Personas.Admin);
        var ops = new ProjectionOperations(fixture.Store, TimeProvider.System, fixture.Get<IProjectionCoordinator>());
        foreach (var name in new[] { AccountProjection.ProjectionName, WalletTransactionProjection.ProjectionName })
            Assert.True((await ops.RebuildAsync(PortalHostFixture.Actor("dave"), new RebuildRequest(name))).Succeeded);

        var events = await fixture.EventsAsync(id);
        Assert.Equal((6, "dana", events[^1].Sequence), await AccountAsync(id));
        Assert.Empty(await Sql.QueryAsync(fixture.ConnectionString, "select 1 from account_projection where aggregate_id = @g", r => 1, ("g", ghost)));
        var lines = await Sql.TransactionsAsync(fixture.ConnectionString, id);
        Assert.Equal(events.Skip(1).Select(e => (e.Id, e.Version)), lines.Select(l => (l.Id, l.Version)));
        Assert.Equal((TransactionKind.Spend, 4, "alice"), (lines[1].Kind, lines[1].Amount, lines[1].Actor));

        // The daemon resumes after the rebuild: a new grant still lands in both.
        Assert.True((await Wallets.GrantAsync(PortalHostFixture.Actor("alice"), Guid.CreateVersion7(), id, 1, "after", null)).Succeeded);
        await fixture.WaitForProjectionsAsync();
        Assert.Equal(7, (await AccountAsync(id)).Credits);
        Assert.Equal(3, await TransactionCountAsync(id));
    }
}
