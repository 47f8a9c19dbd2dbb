namespace AuditPortal.Web.Tests.Jobs;

/// <summary>The job list's filters and sort in its address: read when opened (a reload, a link, back/forward), written as they change.</summary>
public class JobListAddressTests : PageTestContext
{
    /// <summary>An open logo job and a launched website: two jobs a status filter tells apart.</summary>
    private void GivenAnOpenAndALaunchedJob()
    {
        JobReads.Add("Logo design", "carol", JobStatus.Open);
        JobReads.Add("Website", "dave", JobStatus.Launched);
    }

    [Fact]
    public void Given_filters_and_a_sort_in_the_address_When_the_list_opens_Then_the_server_is_asked_for_them_and_the_fields_show_them()
    {
        GivenAnOpenAndALaunchedJob();

        var cut = RenderAt<JobList>("/jobs?text=logo&status=open&sort=budget&desc=true");

        cut.WaitForAssertion(() => Assert.Equal(["Logo design"], cut.FindAll(".job-link").Select(a => a.TextContent)));
        var query = JobReads.ListQueries.Last();
        Assert.Equal(("logo", JobStatus.Open, "Budget", true), (query.TextContains, query.Status, query.SortBy, query.Descending));
        Assert.Equal("logo", cut.Find("#job-text-filter").GetAttribute("value"));
        Assert.Empty(cut.FindAll("#job-address-error"));
    }

    [Fact]
    public void Given_values_the_list_cannot_use_in_the_address_When_it_opens_Then_each_is_named_and_none_is_guessed()
    {
        JobReads.Add("Logo design", "carol");

        var cut = RenderAt<JobList>("/jobs?status=Finished&sort=Price&desc=maybe");

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".job-link")));
        var error = cut.Find("#job-address-error").TextContent;
        Assert.Contains("\"Finished\" in the address is not one of Open, Launched, Completed, Cancelled: the list is not filtered by status.", error);
        Assert.Contains("\"Price\" in the address is not a column this list sorts by", error);
        Assert.Contains("\"maybe\" in the address is not true or false", error);
        var query = JobReads.ListQueries.Last();
        Assert.Equal(((JobStatus?)null, (string?)null, false), (query.Status, query.SortBy, query.Descending));
    }

    [Fact]
    public void Given_an_open_list_When_a_filter_is_typed_and_a_column_sorted_Then_the_address_follows_replacing_the_entry()
    {
        JobReads.Add("Logo design", "carol");
        var cut = RenderAt<JobList>("/jobs");
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".job-link")));

        AssertAddressFollowsFilterThenSort(cut, "#job-text-filter", "logo", "/jobs?text=logo", "Budget");
    }

    [Fact]
    public void Given_an_open_list_When_the_address_changes_under_it_Then_the_new_address_wins()
    {
        GivenAnOpenAndALaunchedJob();
        var cut = RenderAt<JobList>("/jobs?status=Open");
        cut.WaitForAssertion(() => Assert.Equal(["Logo design"], cut.FindAll(".job-link").Select(a => a.TextContent)));

        // Back/forward to another state of the list.
        Services.GetRequiredService<NavigationManager>().NavigateTo("/jobs?status=Launched");

        cut.WaitForAssertion(() => Assert.Equal(["Website"], cut.FindAll(".job-link").Select(a => a.TextContent)));
    }
}
