namespace AuditPortal.Web.Tests.Shared;

/// <summary>The one spelling of a list's address: what it writes, what it reads back, and what it refuses.</summary>
public class ListAddressTests : PortalTestContext
{
    [Fact]
    public void Given_parameters_When_spelled_Then_empty_ones_are_left_out_values_escaped_and_desc_only_with_a_sort()
    {
        Assert.Equal("", ListAddress.Query(("text", null), ("status", "")));
        Assert.Equal("?text=a%26b%20c&sort=Budget&desc=true", ListAddress.Query([("text", "a&b c"), .. ListAddress.Sort("Budget", true)]));
        Assert.Equal("", ListAddress.Query(ListAddress.Sort(null, true)));
    }

    [Fact]
    public void Given_values_from_an_address_When_parsed_Then_known_ones_are_read_in_any_case_and_others_refused_with_a_message()
    {
        Assert.Equal(("Budget", (string?)null), ListAddress.ParseSort("budget", ["Title", "Budget"]));
        var (column, sortError) = ListAddress.ParseSort("Price", ["Title", "Budget"]);
        Assert.Null(column);
        Assert.Equal("\"Price\" in the address is not a column this list sorts by (Title, Budget): the default order applies.", sortError);

        Assert.Equal((DayOfWeek.Monday, (string?)null), ListAddress.ParseEnum<DayOfWeek>("monday", "x"));
        // A number is not a name: "1" would otherwise be read as Monday.
        Assert.NotNull(ListAddress.ParseEnum<DayOfWeek>("1", "all days are shown").Error);
        Assert.Equal((true, (string?)null), ListAddress.ParseFlag("TRUE", "desc"));
        Assert.Contains("not true or false", ListAddress.ParseFlag("yes", "desc").Error);
        Assert.Contains("expected yyyy-MM-dd", ListAddress.ParseDay("30/11/2026", "not filtered").Error);
        Assert.Null(ListAddress.Errors(null, null));
        Assert.Equal("a. b.", ListAddress.Errors("a.", null, "b."));
    }

    [Fact]
    public void Given_a_page_writing_its_state_When_its_own_writes_come_back_Then_they_are_not_applied_again_but_a_new_address_is()
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        var sync = new AddressSync(navigation, "/jobs");
        Assert.True(sync.IsNew(""));

        sync.Write("?text=l");
        sync.Write("?text=lo");
        Assert.EndsWith("/jobs?text=lo", navigation.Uri);

        // The first write arrives while the user has typed on: it is not applied over "lo".
        Assert.False(sync.IsNew("?text=l"));
        Assert.False(sync.IsNew("?text=lo"));
        // Back/forward or a link: applied.
        Assert.True(sync.IsNew("?status=Open"));
    }
}
