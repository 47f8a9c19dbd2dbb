using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Audit;
using AuditPortal.Core.Common;
using AuditPortal.Core.DemoData;
using AuditPortal.Core.Overview;
using AuditPortal.Core.Wallets;
using AuditPortal.IntegrationTests.Infrastructure;

namespace AuditPortal.IntegrationTests.Overview;

public sealed class OverviewFixture : PortalHostFixture
{
    public static readonly DemoOptions Options = DemoOptions.Small with { IncludePortalAcl = false };
    public List<DemoEvent> Generated { get; } = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Generated.AddRange(DemoHistory.Generate(Options));
        await DemoHistory.SeedAsync(Store, Options);
        await GrantPersonaAsync("carol", Personas.Auditor);
        await GrantPersonaAsync("alice", Personas.Support);
        await WaitForProjectionsAsync();
    }
}

/// <summary>The clock stands at the end of the demo history, so "today" and "this week" hold known events.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

public class OverviewQueriesTests(OverviewFixture fixture) : IClassFixture<OverviewFixture>
{
    private static readonly DateTimeOffset Now = OverviewFixture.Options.End;

    private OverviewQueries QueriesFor(string user) =>
        new(fixture.Store, new FixedActor(PortalHostFixture.Actor(user)), new FixedClock(Now));

    [Fact]
    public async Task GivenEachPersona_WhenAskingWhichGroupsToShow_ThenEachSeesOnlyItsOwn()
    {
        Assert.Equal(new OverviewPersonas(true, false, false), await QueriesFor("alice").PersonasAsync());
        Assert.Equal(new OverviewPersonas(false, true, false), await QueriesFor("carol").PersonasAsync());
        Assert.Equal(new OverviewPersonas(true, true, true), await QueriesFor(PortalHostFixture.Admin).PersonasAsync());
        Assert.Equal(new OverviewPersonas(false, false, false), await QueriesFor("nobody").PersonasAsync());
    }

    [Fact]
    public async Task GivenTheDemoHistory_WhenSupportOpensTheOverview_ThenTodayAndThisWeekEqualTheGeneratedCredits()
    {
        var overview = await QueriesFor("alice").SupportAsync();

        CreditTotals Expected(DateTimeOffset from)
        {
            var events = fixture.Generated.Where(e => e.At >= from).ToList();
            var grants = events.Select(e => e.Data).OfType<CreditsGranted>().ToList();
            var spends = events.Select(e => e.Data).OfType<CreditsSpent>().ToList();
            return new CreditTotals(grants.Sum(g => (long)g.Amount), spends.Sum(s => (long)s.Amount), grants.Count, spends.Count);
        }
        Assert.Equal(Expected(OverviewQueries.DayStart(Now)), overview.Today);
        Assert.Equal(Expected(OverviewQueries.WeekStart(Now)), overview.ThisWeek);
        Assert.True(overview.ThisWeek.Grants > 0);
        var walletsToday = fixture.Generated.Where(e => e.At >= OverviewQueries.DayStart(Now) && e.StreamType == typeof(Wallet)).Select(e => e.StreamId).Distinct().Count();
        Assert.Equal(walletsToday, overview.WalletsChangedToday);

        var mine = fixture.Generated.Where(e => e.UserName == "alice").Reverse().Take(OverviewQueries.ListLength).ToList();
        Assert.Equal(mine.Select(e => (e.StreamId, e.At)), overview.MyLastActions.Select(e => (e.StreamId, e.At)));
        Assert.All(overview.MyLastActions, e => Assert.Equal("alice", e.Actor));
    }

    [Fact]
    public async Task GivenTheDemoHistory_WhenAnAuditorOpensTheOverview_ThenDailyCountsActorsAndSensitiveEventsMatchTheHistory()
    {
        var overview = await QueriesFor("carol").AuditorAsync();

        Assert.Equal(OverviewQueries.EventsPerDayWindow, overview.EventsPerDay.Count);
        var byDay = fixture.Generated.GroupBy(e => DateOnly.FromDateTime(e.At.UtcDateTime)).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.All(overview.EventsPerDay, d => Assert.Equal(byDay.GetValueOrDefault(d.Day), d.Events));
        Assert.True(overview.EventsPerDay.Count(d => d.Events > 0) > 60);

        var actors = fixture.Generated.Where(e => e.At >= overview.ActorsFrom).GroupBy(e => e.UserName).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.NotEmpty(overview.MostActiveActors);
        Assert.All(overview.MostActiveActors, a => Assert.Equal(actors[a.Actor], a.Events));
        Assert.Equal(actors.Values.Max(), overview.MostActiveActors[0].Events);

        Assert.All(overview.SensitiveEvents, e => Assert.Contains(e.EventType, OverviewQueries.SensitiveEventTypes));
        Assert.All(overview.SensitiveEvents, e => Assert.True(e.At >= Now.AddDays(-7) || e.Actor == PortalHostFixture.Admin));
    }

    [Fact]
    public async Task GivenAnAdmin_WhenOpeningTheOverview_ThenProjectionHealthAndTheLatestAclChangesAreThere()
    {
        var overview = await QueriesFor(PortalHostFixture.Admin).AdminAsync();

        Assert.NotNull(overview.Projections);
        Assert.NotEmpty(overview.Projections!);
        var latest = overview.AclChanges!.First();
        Assert.Equal("permission_granted", latest.EventType);
        Assert.Contains("alice", latest.Summary);
        Assert.Equal(Resources.PortalAclId, latest.StreamId);
    }

    [Fact]
    public async Task GivenSupportOrNobody_WhenCallingQueriesOfAnotherPersona_ThenAccessIsDeniedNamingThePermission()
    {
        var denied = await Assert.ThrowsAsync<AccessDeniedException>(() => QueriesFor("alice").AuditorAsync());
        Assert.Equal(Permission.ReadAudit, denied.Missing);
        Assert.Equal(Permission.GrantCredits, (await Assert.ThrowsAsync<AccessDeniedException>(() => QueriesFor("carol").SupportAsync())).Missing);
        await Assert.ThrowsAsync<AccessDeniedException>(() => QueriesFor("carol").AdminAsync());
        await Assert.ThrowsAsync<AccessDeniedException>(() => new ActivityHistogram(fixture.Store, new FixedActor(PortalHostFixture.Actor("alice"))).CountAsync(AuditFilter.None));
    }

    [Fact]
    public async Task GivenAFilter_WhenCountingTheHistogram_ThenTheBucketsAddUpToTheMatchingEventsAndCoverTheRange()
    {
        var histogram = new ActivityHistogram(fixture.Store, new FixedActor(PortalHostFixture.Actor("carol")));

        var all = await histogram.CountAsync(AuditFilter.None with { Actor = "alice" });
        Assert.Equal(fixture.Generated.Count(e => e.UserName == "alice"), all.Total);
        Assert.Equal(TimeSpan.FromDays(7), all.BucketSize);
        Assert.InRange(all.Buckets.Count, 2, ActivityHistogram.MaxBuckets);

        var from = Now.AddDays(-2);
        var narrowed = await histogram.CountAsync(AuditFilter.None with { From = from, To = Now });
        Assert.Equal(TimeSpan.FromHours(1), narrowed.BucketSize);
        Assert.Equal(fixture.Generated.Count(e => e.At >= from && e.At < Now), narrowed.Total);

        var none = await histogram.CountAsync(AuditFilter.None with { Actor = "nobody-at-all" });
        Assert.Empty(none.Buckets);
    }

    [Fact]
    public async Task GivenAWallet_WhenLoadingItsBalanceHistory_ThenEveryStepIsTheRunningBalanceOfItsStream()
    {
        var walletId = fixture.Generated.Where(e => e.StreamType == typeof(Wallet)).GroupBy(e => e.StreamId).MaxBy(g => g.Count())!.Key;
        var steps = await new WalletBalanceHistory(fixture.Store, new FixedActor(PortalHostFixture.Actor("alice"))).LoadAsync(walletId);

        var expected = 0;
        var events = fixture.Generated.Where(e => e.StreamId == walletId).ToList();
        Assert.Equal(events.Count, steps.Count);
        foreach (var (e, step) in events.Zip(steps))
        {
            expected += e.Data switch { CreditsGranted g => g.Amount, CreditsSpent s => -s.Amount, _ => 0 };
            Assert.Equal((expected, e.At), (step.Balance, step.At));
        }
        await Assert.ThrowsAsync<AccessDeniedException>(() => new WalletBalanceHistory(fixture.Store, new FixedActor(PortalHostFixture.Actor("nobody"))).LoadAsync(walletId));
    }
}
