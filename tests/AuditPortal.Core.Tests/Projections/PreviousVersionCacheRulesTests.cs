using AuditPortal.Core.Projections;

namespace AuditPortal.Core.Tests.Projections;

/// <summary>When the cached "is a previous version serving?" may answer, and when a read must probe the catalog.</summary>
public class PreviousVersionCacheRulesTests
{
    [Fact]
    public void Given_no_feed_vouching_When_a_probe_offers_its_answer_Then_nothing_is_cached()
    {
        var cache = new PreviousVersionCache();
        cache.Offer(cache.Generation, serving: false);
        Assert.Null(cache.Known);
    }

    [Fact]
    public void Given_a_listening_feed_When_a_probe_offers_its_answer_Then_it_is_the_answer_until_forgotten()
    {
        var cache = Cached(serving: false);
        Assert.False(cache.Known);

        cache.Forget();
        Assert.Null(cache.Known);
    }

    [Fact]
    public void Given_a_probe_begun_before_a_notice_When_it_offers_its_answer_after_it_Then_the_answer_is_dropped()
    {
        var cache = new PreviousVersionCache();
        cache.Vouch(TimeSpan.FromMinutes(1));
        var before = cache.Generation;
        cache.Forget(); // the upgrade's notice arrives while the probe runs
        cache.Offer(before, serving: false);
        Assert.Null(cache.Known);
        cache.Offer(cache.Generation, serving: true);
        Assert.True(cache.Known);
    }

    [Fact]
    public void Given_a_cached_answer_When_the_feed_loses_its_connection_or_stops_vouching_Then_reads_probe()
    {
        var cache = Cached(serving: false);
        cache.Withdraw();
        Assert.Null(cache.Known);

        cache.Vouch(TimeSpan.Zero); // a window that has already passed: the feed has not been heard since
        cache.Offer(cache.Generation, serving: false);
        Assert.Null(cache.Known);
    }

    /// <summary>A cache whose feed listens (vouched for a minute) and that holds a probe's answer.</summary>
    private static PreviousVersionCache Cached(bool serving)
    {
        var cache = new PreviousVersionCache();
        cache.Vouch(TimeSpan.FromMinutes(1));
        cache.Offer(cache.Generation, serving);
        return cache;
    }
}
