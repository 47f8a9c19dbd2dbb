namespace AuditPortal.Web.Tests.Preferences;

public class SavedSearchBarTests : PortalTestContext
{
    [Fact]
    public void Given_a_filtered_view_When_saved_under_a_name_Then_its_whole_address_is_saved_for_this_user_only_and_listed_in_the_menu()
    {
        Render<MudBlazor.MudPopoverProvider>();
        Services.GetRequiredService<NavigationManager>().NavigateTo("/audit?actor=sam&eventType=credits_spent");
        var cut = Render<SavedSearchBar>();

        cut.Find("#saved-search-save").Click();
        cut.Find("#saved-search-name").Input("Sam's spends");
        cut.Find("#saved-search-confirm").Click();

        cut.WaitForAssertion(() => Assert.Equal("Search \"Sam's spends\" saved.", cut.Find("#saved-search-message").TextContent));
        var saved = Assert.Single(Preferences.Of("admin").Searches);
        Assert.Equal(("Sam's spends", "/audit?actor=sam&eventType=credits_spent"), (saved.Name, saved.Address));
        Assert.Empty(Preferences.Of("bob").Searches);
    }

    [Fact]
    public void Given_a_name_already_used_When_saving_Then_the_refusal_shows_and_the_name_stays_to_be_corrected()
    {
        Render<MudBlazor.MudPopoverProvider>();
        Services.GetRequiredService<NavigationManager>().NavigateTo("/jobs?status=Open");
        var cut = Render<SavedSearchBar>();
        cut.Find("#saved-search-save").Click();
        cut.Find("#saved-search-name").Input("Open");
        cut.Find("#saved-search-confirm").Click();
        cut.WaitForAssertion(() => Assert.Single(Preferences.Of("admin").Searches));

        cut.Find("#saved-search-save").Click();
        cut.Find("#saved-search-name").Input("open");
        cut.Find("#saved-search-confirm").Click();

        cut.WaitForAssertion(() => Assert.Contains("already have a saved search named \"open\"", cut.Find("#saved-search-message").TextContent));
        Assert.Equal("open", cut.Find("#saved-search-name").GetAttribute("value"));
        Assert.Single(Preferences.Of("admin").Searches);
    }
}
