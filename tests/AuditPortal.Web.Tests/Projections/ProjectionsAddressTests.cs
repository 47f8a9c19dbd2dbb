using AuditPortal.Web.Components.Pages.Projections;

namespace AuditPortal.Web.Tests.Projections;

public class ProjectionsAddressTests : PortalTestContext
{
    protected override void AddServices()
    {
        AddAuthorization().SetAuthorized("dave");
        Services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        Services.AddScoped<CurrentUser>();
        Services.AddSingleton<IProjectionConsole>(new Console());
    }

    private static string[] Names(IRenderedComponent<ProjectionsPage> cut) =>
        cut.FindAll("#projections tbody tr").Select(r => r.QuerySelector("td")!.TextContent).ToArray();

    [Fact]
    public void Given_a_state_and_an_order_in_the_address_When_the_page_opens_Then_the_table_shows_those_rows_in_that_order()
    {
        var cut = RenderAt<ProjectionsPage>("/projections?sort=LagEvents&desc=true");
        cut.WaitForAssertion(() => Assert.Equal(["Jobs", "Accounts", "Wallets"], Names(cut)));

        Services.GetRequiredService<NavigationManager>().NavigateTo("/projections?state=Paused&sort=Name");

        cut.WaitForAssertion(() => Assert.Equal(["Accounts", "Jobs"], Names(cut)));
        Assert.Empty(cut.FindAll("#projections-address-error"));
    }

    [Fact]
    public void Given_an_unknown_state_and_column_When_the_page_opens_Then_they_are_named_and_every_projection_shows_in_the_daemons_order()
    {
        var cut = RenderAt<ProjectionsPage>("/projections?state=Broken&sort=Speed");

        cut.WaitForAssertion(() => Assert.Equal(["Wallets", "Accounts", "Jobs"], Names(cut)));
        var error = cut.Find("#projections-address-error").TextContent;
        Assert.Contains("\"Broken\" in the address is not one of", error);
        Assert.Contains("\"Speed\" in the address is not a column this list sorts by (Name, LagEvents, LagSeconds)", error);
    }

    private sealed class Console : IProjectionConsole
    {
        public RebuildRun? Current => null;
        public event Action? Changed { add { } remove { } }

        public Task<IReadOnlyList<ProjectionStatus>> StatusAsync(Actor actor, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<ProjectionStatus>>(
            [
                new("Wallets", "Wallets:All", 1, ProjectionState.UpToDate, 5000, 5000, 0, 0, null, null, null, null),
                new("Accounts", "Accounts:All", 1, ProjectionState.Paused, 3800, 5000, 1200, 12.5, "x", 42, "credits_granted", null),
                new("Jobs", "Jobs:All", 1, ProjectionState.Paused, 3000, 5000, 2000, 20, "y", 43, "job_posted", null),
            ]);

        public RebuildRun? TryStart(Actor actor, string? projection, out string? refusal)
        {
            refusal = "not in this test";
            return null;
        }

        public Task<bool> CancelAsync(Actor actor, CancellationToken ct = default) => Task.FromResult(false);
    }
}
