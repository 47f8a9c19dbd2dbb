using AuditPortal.Core.Preferences;

namespace AuditPortal.Core.Tests.Preferences;

public class UserPreferencesDecisionsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 13, 0, 0, TimeSpan.Zero);

    private static SaveSearch Save(string name, string address = "/audit?actor=alice", Guid? id = null) => new(name, address, id ?? Guid.CreateVersion7(), "ann", At);

    private static UserPreferences With(params object[] events)
    {
        UserPreferences? state = null;
        foreach (var e in events)
            state = e switch
            {
                SearchSaved s => state is null ? UserPreferences.Create(s) : state.Apply(s),
                SavedSearchDeleted d => state is null ? UserPreferences.Create(d) : state.Apply(d),
                TimeZoneChosen z => state is null ? UserPreferences.Create(z) : state.Apply(z),
                _ => throw new ArgumentException(e.GetType().Name),
            };
        return state!;
    }

    private static DomainError Refused(Action decide) => Assert.Throws<DomainException>(decide).Error;

    [Fact]
    public void Given_no_preferences_When_saving_a_search_inside_the_portal_Then_it_is_saved_with_who_and_when()
    {
        var id = Guid.CreateVersion7();
        var saved = UserPreferencesDecisions.Handle(null, Save("  Alice's week ", "/audit?actor=alice&from=2026-12-01T00:00", id));

        Assert.Equal(new SearchSaved("ann", id, "Alice's week", "/audit?actor=alice&from=2026-12-01T00:00", At), saved);
        Assert.Equal(["Alice's week"], With(saved).Searches.Select(s => s.Name));
    }

    [Theory]
    [InlineData("https://evil.example/audit")]
    [InlineData("//evil.example/audit")]
    [InlineData("audit?actor=alice")]
    [InlineData("/\\evil.example")]
    [InlineData("")]
    [InlineData("javascript:alert(1)")]
    public void Given_an_address_outside_the_portal_When_saving_Then_it_is_refused(string address)
    {
        var error = Refused(() => UserPreferencesDecisions.Handle(null, Save("x", address)));

        Assert.Equal("address", Assert.IsType<ValidationError>(error).Field);
    }

    [Fact]
    public void Given_a_search_of_that_name_When_saving_another_Then_it_is_refused_whatever_the_case()
    {
        var state = With(UserPreferencesDecisions.Handle(null, Save("Denials")));

        var error = Refused(() => UserPreferencesDecisions.Handle(state, Save("denials", "/audit?eventType=command_denied")));

        Assert.Contains("already have a saved search named", error.Message);
    }

    [Fact]
    public void Given_a_saved_search_When_deleting_it_Then_it_is_gone_and_deleting_it_again_is_refused()
    {
        var saved = UserPreferencesDecisions.Handle(null, Save("Denials"));
        var deleted = UserPreferencesDecisions.Handle(With(saved), new DeleteSavedSearch(saved.SearchId, "ann", At));

        Assert.Equal(new SavedSearchDeleted("ann", saved.SearchId, "Denials", At), deleted);
        var state = With(saved, deleted);
        Assert.Empty(state.Searches);
        Assert.IsType<NotFound>(Refused(() => UserPreferencesDecisions.Handle(state, new DeleteSavedSearch(saved.SearchId, "ann", At))));
    }

    [Fact]
    public void Given_a_known_zone_When_chosen_Then_it_is_recorded_and_UTC_is_recorded_as_no_zone()
    {
        var paris = UserPreferencesDecisions.Handle(null, new ChooseTimeZone("Europe/Paris", "ann", At));
        Assert.Equal(new TimeZoneChosen("ann", "Europe/Paris", At), paris);

        var back = UserPreferencesDecisions.Handle(With(paris), new ChooseTimeZone("utc", "ann", At));
        Assert.Null(back.TimeZoneId);
        Assert.Null(With(paris, back).TimeZoneId);
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("Europe/paris")]
    [InlineData("+01:00")]
    public void Given_an_unknown_zone_When_chosen_Then_it_is_refused_with_the_field(string zone)
    {
        var error = Refused(() => UserPreferencesDecisions.Handle(null, new ChooseTimeZone(zone, "ann", At)));

        Assert.Equal("timeZone", Assert.IsType<ValidationError>(error).Field);
    }

    [Fact]
    public void Given_the_zone_already_chosen_When_chosen_again_Then_nothing_is_recorded()
    {
        var state = With(UserPreferencesDecisions.Handle(null, new ChooseTimeZone("Europe/Paris", "ann", At)));

        Assert.Equal("unchanged", Refused(() => UserPreferencesDecisions.Handle(state, new ChooseTimeZone("Europe/Paris", "ann", At))).Code);
        Assert.Equal("unchanged", Refused(() => UserPreferencesDecisions.Handle(null, new ChooseTimeZone(null, "ann", At))).Code);
    }

    [Fact]
    public void Given_two_user_names_differing_in_case_When_their_streams_are_derived_Then_they_share_one_and_another_user_has_another()
    {
        Assert.Equal(UserPreferences.StreamIdFor("Ann"), UserPreferences.StreamIdFor(" ann "));
        Assert.NotEqual(UserPreferences.StreamIdFor("ann"), UserPreferences.StreamIdFor("bob"));
        // Not the access log's stream: the preferences are a stream of their own.
        Assert.NotEqual(Core.AccessControl.AccessLog.StreamIdFor("ann"), UserPreferences.StreamIdFor("ann"));
    }
}

public class UserPreferencesSummariesTests
{
    private static string Summary(string type, string json) =>
        Core.Audit.AuditSummaries.Summarize(type, System.Text.Json.JsonDocument.Parse(json).RootElement);

    [Fact]
    public void Given_preference_events_When_the_explorer_summarizes_them_Then_each_names_who_and_what()
    {
        Assert.Equal("ann saved the search \u201cDenials\u201d (/audit?eventType=command_denied)",
            Summary("search_saved", """{"userName":"ann","name":"Denials","address":"/audit?eventType=command_denied"}"""));
        Assert.Equal("ann deleted the saved search \u201cDenials\u201d", Summary("saved_search_deleted", """{"userName":"ann","name":"Denials"}"""));
        Assert.Equal("ann chose to read times in Europe/Paris", Summary("time_zone_chosen", """{"userName":"ann","timeZoneId":"Europe/Paris"}"""));
        Assert.Equal("ann chose to read times in UTC", Summary("time_zone_chosen", """{"userName":"ann","timeZoneId":null}"""));
    }
}
