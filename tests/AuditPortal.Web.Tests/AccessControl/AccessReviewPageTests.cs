namespace AuditPortal.Web.Tests.AccessControl;

public class AccessReviewPageTests : PortalTestContext
{
    private static readonly DateTimeOffset Granted = new(2026, 10, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeAccessControlReads _queries = new();

    protected override void AddServices() => Services.AddSingleton<IAccessControlReads>(_queries);

    private void GivenGrants()
    {
        _queries.Review.AddRange(
        [
            new("ada@idp.example", "Ada Lovelace", Permission.ReadAudit, "admin", Granted, "audit season", new DateTimeOffset(2027, 3, 31, 0, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2026, 12, 1, 8, 30, 0, TimeSpan.Zero), "oidc"),
            new("admin", null, Permission.EditAccessControl, "system:bootstrap", Granted, "Bootstrap admin", null, new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero), "password"),
            new(FakeAccessControlReads.Hostile, FakeAccessControlReads.Hostile, Permission.ReadWallets, "admin", Granted, "odd", null, null, null),
        ]);
    }

    /// <summary>The unfiltered review of the grants above, once it shows all three.</summary>
    private IRenderedComponent<AccessReviewPage> RenderReviewOfGrants()
    {
        GivenGrants();
        var cut = RenderAt<AccessReviewPage>("/access-control/review");
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr.review-row").Count));
        return cut;
    }

    [Fact]
    public void Given_grants_When_the_review_opens_Then_each_shows_display_name_beside_subject_grantor_end_and_last_sign_in()
    {
        var cut = RenderReviewOfGrants();

        var ada = cut.Find("tr.review-row[data-principal='ada@idp.example']");
        Assert.Equal("Ada Lovelace", ada.QuerySelector(".review-display-name")!.TextContent);
        Assert.Contains("(ada@idp.example)", ada.QuerySelector(".review-person")!.TextContent);
        Assert.Contains("2027-03-31 00:00:00", ada.QuerySelector(".review-until")!.TextContent);
        Assert.Contains("2026-12-01 08:30:00 (single sign-on)", ada.QuerySelector(".review-last-sign-in")!.TextContent);
        var admin = cut.Find("tr.review-row[data-principal='admin']");
        Assert.Equal("—", admin.QuerySelector(".review-until")!.TextContent);
        Assert.Contains("system:bootstrap", admin.TextContent);
        // Never signed in, and hostile text shown as text.
        var hostile = cut.FindAll("tr.review-row").Single(r => r.GetAttribute("data-permission") == nameof(Permission.ReadWallets));
        Assert.Equal("never", hostile.QuerySelector(".review-last-sign-in")!.TextContent);
        Assert.Empty(cut.FindAll("script"));
        Assert.Contains("3 permission(s) held by 3 person(s)", cut.Find("#review-count").TextContent);
        Assert.Equal("/access-control/review.csv", cut.Find("#review-export-csv").GetAttribute("href"));
    }

    [Fact]
    public void Given_filters_in_the_address_When_the_review_opens_Then_the_reads_and_the_export_use_them()
    {
        GivenGrants();

        var cut = RenderAt<AccessReviewPage>("/access-control/review?person=lovelace&permission=ReadAudit&timeBound=true");

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tr.review-row")));
        Assert.Equal(new AccessReviewFilter("lovelace", Permission.ReadAudit, TimeBoundOnly: true), _queries.ReviewFilters.Single());
        Assert.Equal("/access-control/review.csv?person=lovelace&permission=ReadAudit&timeBound=true", cut.Find("#review-export-csv").GetAttribute("href"));
        Assert.Equal("lovelace", cut.Find("#review-person").GetAttribute("value"));
    }

    [Fact]
    public void Given_filters_typed_When_applied_Then_they_are_put_into_the_address()
    {
        var cut = RenderReviewOfGrants();

        cut.Find("#review-person").Input("admin");
        cut.Find("#review-idle-days").Input("90");
        cut.Find("#review-apply").Click();

        Assert.EndsWith("/access-control/review?person=admin&idleDays=90", Services.GetRequiredService<NavigationManager>().Uri);
        cut.WaitForAssertion(() => Assert.Equal(new AccessReviewFilter("admin", IdleDays: 90), _queries.ReviewFilters[^1]));
    }

    [Fact]
    public void Given_a_bad_number_of_days_When_applied_Then_it_is_refused_and_kept_and_the_address_stays()
    {
        var cut = RenderReviewOfGrants();

        cut.Find("#review-idle-days").Input("soon");
        cut.Find("#review-apply").Click();

        Assert.Contains("\"soon\" is not a number of days", cut.Find("#review-filter-error").TextContent);
        Assert.EndsWith("/access-control/review", Services.GetRequiredService<NavigationManager>().Uri);
        Assert.Equal("soon", cut.Find("#review-idle-days").GetAttribute("value"));
        Assert.Single(_queries.ReviewFilters);
    }

    [Fact]
    public void Given_an_unknown_permission_in_the_address_When_opened_Then_a_clear_error_shows_and_no_read_runs()
    {
        var cut = RenderAt<AccessReviewPage>("/access-control/review?permission=Everything");

        Assert.Contains("\"Everything\" is not a permission", cut.Find("#review-filter-error").TextContent);
        Assert.Empty(_queries.ReviewFilters);
        Assert.True(cut.Find("#review-export-csv").HasAttribute("disabled") || cut.Find("#review-export-csv").ClassList.Contains("mud-button-disabled"));
    }

    [Fact]
    public void Given_a_caller_whose_permission_was_revoked_When_the_review_opens_Then_the_refusal_shows_instead_of_rows()
    {
        GivenGrants();
        _queries.DenyReview = true;

        var cut = RenderAt<AccessReviewPage>("/access-control/review");

        cut.WaitForAssertion(() => Assert.Contains("EditAccessControl", cut.Find("#review-denied").TextContent));
        Assert.Empty(cut.FindAll("tr.review-row"));
    }
}
