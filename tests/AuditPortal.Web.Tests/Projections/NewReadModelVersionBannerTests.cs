using AuditPortal.Core.Projections;
using AuditPortal.Web.Components.Shared;
using AuditPortal.Web.Tests.Shared;

namespace AuditPortal.Web.Tests.Projections;

public class NewReadModelVersionBannerTests : PageTestContext
{
    [Fact]
    public void Given_a_new_version_being_built_When_the_list_is_open_Then_the_banner_shows_its_progress_and_then_the_time_left()
    {
        Lag.Current = new ReadModelLag(HighWaterMark: 10_000, SlowestSequence: 4_500, NewVersion: true);
        var cut = Render<ReadModelBanner>(p => p
            .Add(x => x.Projections, ReadModelLagProbe.WalletProjections)
            .Add(x => x.PollInterval, TimeSpan.FromMilliseconds(50)));

        Assert.Contains("A new version of this list is being built: 45 %, estimating the time left", cut.Find("#read-model-banner").TextContent);

        Lag.Current = new ReadModelLag(HighWaterMark: 10_000, SlowestSequence: 6_000, NewVersion: true);
        cut.WaitForAssertion(() => Assert.Matches(@"being built: 60 %, about \d+ s left", cut.Find("#read-model-banner").TextContent));

        Lag.Current = new ReadModelLag(HighWaterMark: 10_000, SlowestSequence: 10_000);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#read-model-banner")));
    }
}
