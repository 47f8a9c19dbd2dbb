namespace AuditPortal.Web.Tests.Preferences;

public class SavedSearchBarTests : PortalTestContext
{
    /// <summary>Saves the current address under this name, as the user does through the bar's menu.</summary>
    private static void SaveAs(IRenderedComponent<SavedSearchBar> cut, string name)
    {
        cut.Find("#saved-search-save").Click();
        cut.Find("#saved-search-name").Input(name);
        cut.Find("#saved-search-confirm").Click();
    }

    [Fact]
    public void Given_a_filtered_view_When_saved_under_a_name_Then_its_whole_address_is_saved_for_this_user_only_and_listed_in_the_menu()
    {
        var cut = RenderAt<SavedSearchBar>("/audit?actor=sam&eventType=credits_spent");

        SaveAs(cut, "Sam's spends");

        cut.WaitForAssertion(() => Assert.Equal("Search \"Sam's spends\" saved.", cut.Find("#saved-search-message").TextContent));
        var saved = Assert.Single(Preferences.Of("admin").Searches);
        Assert.Equal(("Sam's spends", "/audit?actor=sam&eventType=credits_spent"), (saved.Name, saved.Address));
        Assert.Empty(Preferences.Of("bob").Searches);
    }

    [Fact]
    public void Given_a_name_already_used_When_saving_Then_the_refusal_shows_and_the_name_stays_to_be_corrected()
    {
        var cut = RenderAt<SavedSearchBar>("/jobs?status=Open");
        SaveAs(cut, "Open");
        cut.WaitForAssertion(() => Assert.Single(Preferences.Of("admin").Searches));

        SaveAs(cut, "open");

        cut.WaitForAssertion(() => Assert.Contains("already have a saved search named \"open\"", cut.Find("#saved-search-message").TextContent));
        Assert.Equal("open", cut.Find("#saved-search-name").GetAttribute("value"));
        Assert.Single(Preferences.Of("admin").Searches);
    }
}
