namespace AuditPortal.IntegrationTests.Audit;

public class AuditIndexesTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    [Fact]
    public async Task Given_a_database_with_the_superseded_time_index_When_the_audit_indexes_are_applied_Then_it_is_replaced()
    {
        var schema = fixture.Store.Options.Events.DatabaseSchemaName;
        // As an earlier version of the apply step left it.
        await Sql.QueryAsync(fixture.ConnectionString, $"create index if not exists ix_mt_events_timestamp on {schema}.mt_events (timestamp desc)", _ => 0);

        await AuditIndexes.EnsureAsync(fixture.Store);

        var names = await Sql.QueryAsync(fixture.ConnectionString,
            "select indexname from pg_indexes where schemaname = @schema and tablename = 'mt_events' and indexname like 'ix_mt_events_timestamp%'",
            r => r.GetString(0), ("schema", schema));
        Assert.Equal(["ix_mt_events_timestamp_seq"], names);
    }
}
