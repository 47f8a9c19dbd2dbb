using AuditPortal.Core.Audit;

namespace AuditPortal.IntegrationTests.Audit;

public class AuditIndexesTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    [Fact]
    public async Task Given_a_database_with_the_superseded_time_index_When_the_audit_indexes_are_applied_Then_it_is_replaced()
    {
        var schema = fixture.Store.Options.Events.DatabaseSchemaName;
        await using var conn = new NpgsqlConnection(fixture.ConnectionString);
        await conn.OpenAsync();
        // As an earlier version of the apply step left it.
        await using (var old = new NpgsqlCommand($"create index if not exists ix_mt_events_timestamp on {schema}.mt_events (timestamp desc)", conn))
            await old.ExecuteNonQueryAsync();

        await AuditIndexes.EnsureAsync(fixture.Store);

        await using var cmd = new NpgsqlCommand("select indexname from pg_indexes where schemaname = $1 and tablename = 'mt_events' and indexname like 'ix_mt_events_timestamp%'", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = schema });
        var names = new List<string>();
        await using (var rows = await cmd.ExecuteReaderAsync())
            while (await rows.ReadAsync()) names.Add(rows.GetString(0));
        Assert.Equal(["ix_mt_events_timestamp_seq"], names);
    }
}
