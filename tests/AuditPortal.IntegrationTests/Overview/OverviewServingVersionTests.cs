namespace AuditPortal.IntegrationTests.Overview;

/// <summary>
/// During a read-model upgrade (the previous version serving) the overview's tiles and charts read the previous
/// version's daily table, and say so; without one they read the new table and say it is being built.
/// </summary>
public class OverviewServingVersionTests(OverviewFixture fixture) : IClassFixture<OverviewFixture>
{
    private static readonly DateTimeOffset Now = OverviewFixture.Options.End;

    [Fact]
    public async Task Given_a_previous_version_serving_When_support_and_auditors_open_the_overview_Then_the_figures_are_the_previous_version_s_and_labelled()
    {
        var support = new OverviewQueries(fixture.Store, new FixedActor(PortalHostFixture.Actor("alice")), new FixedClock(Now));
        var auditor = new OverviewQueries(fixture.Store, new FixedActor(PortalHostFixture.Actor("carol")), new FixedClock(Now));
        var current = await support.SupportAsync();
        var currentDays = await auditor.AuditorAsync();
        Assert.Equal(ReadModelSource.Current, current.Source);
        Assert.True(current.ThisWeek.Granted > 0);
        var eventsInWindow = currentDays.EventsPerDay.Sum(d => d.Events);

        // The previous version as an upgrade leaves it (ReadModelUpgrade moves the tables and marks the schema serving),
        // with figures of its own so that which table answered shows.
        await Sql.ExecAsync(fixture.ConnectionString, """
            create schema auditportal_previous;
            create table auditportal_previous.overview_daily_activity as select * from auditportal.overview_daily_activity;
            update auditportal_previous.overview_daily_activity set amount = amount * 2, events = events * 3;
            comment on schema auditportal_previous is 'serving';
            """);
        try
        {
            var previous = await support.SupportAsync();
            var previousDays = await auditor.AuditorAsync();
            Assert.Equal(ReadModelSource.Previous, previous.Source);
            Assert.Equal((current.ThisWeek.Granted * 2, current.ThisWeek.Grants * 3), (previous.ThisWeek.Granted, previous.ThisWeek.Grants));
            Assert.Equal(ReadModelSource.Previous, previousDays.Source);
            Assert.Equal(eventsInWindow * 3, previousDays.EventsPerDay.Sum(d => d.Events));

            // A previous version without the daily table: the new one answers, said to be building.
            await Sql.ExecAsync(fixture.ConnectionString, "drop table auditportal_previous.overview_daily_activity");
            var building = await support.SupportAsync();
            Assert.Equal(ReadModelSource.Building, building.Source);
            Assert.Equal(current.ThisWeek, building.ThisWeek);

            // Switched (superseded): the current version, with no label.
            await Sql.ExecAsync(fixture.ConnectionString, "comment on schema auditportal_previous is 'superseded'");
            Assert.Equal(ReadModelSource.Current, (await auditor.AuditorAsync()).Source);
        }
        finally
        {
            await Sql.ExecAsync(fixture.ConnectionString, "drop schema if exists auditportal_previous cascade");
        }
    }
}
