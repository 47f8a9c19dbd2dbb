using AuditPortal.Core.Preferences;

namespace AuditPortal.IntegrationTests.Preferences;

/// <summary>
/// Saved searches and the chosen time zone on each user's own stream, through the command pipeline: private to the
/// user, recorded with who and when, open to any signed-in person for themselves only.
/// </summary>
public class UserPreferencesTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    private UserPreferencesService Service => fixture.Get<UserPreferencesService>();

    private Task<UserPreferences> MineAsync(string user) =>
        new UserPreferencesReads(fixture.Store, new FixedActor(PortalHostFixture.Actor(user))).MineAsync();

    [Fact]
    public async Task Given_an_auditor_When_saving_a_search_Then_they_reopen_it_and_another_user_never_sees_it()
    {
        await fixture.GrantPersonaAsync("up-ann", Personas.Auditor);
        await fixture.GrantPersonaAsync("up-bob", Personas.Auditor);
        var searchId = Guid.CreateVersion7();

        var saved = await Service.SaveSearchAsync(PortalHostFixture.Actor("up-ann"), Guid.CreateVersion7(), searchId, "Denials this week", "/audit?eventType=command_denied&from=2026-12-01T00:00");

        Assert.True(saved.Succeeded, saved.Message);
        var mine = Assert.Single((await MineAsync("up-ann")).Searches);
        Assert.Equal((searchId, "Denials this week", "/audit?eventType=command_denied&from=2026-12-01T00:00"), (mine.Id, mine.Name, mine.Address));
        // Bob's reads derive his own stream from his name: Ann's search is not there, and he cannot delete it.
        Assert.Empty((await MineAsync("up-bob")).Searches);
        var bobDeletes = await Service.DeleteSearchAsync(PortalHostFixture.Actor("up-bob"), Guid.CreateVersion7(), searchId);
        Assert.Equal(CommandStatus.Rejected, bobDeletes.Status);
        Assert.Single((await MineAsync("up-ann")).Searches);

        var deleted = await Service.DeleteSearchAsync(PortalHostFixture.Actor("up-ann"), Guid.CreateVersion7(), searchId);
        Assert.True(deleted.Succeeded, deleted.Message);
        Assert.Empty((await MineAsync("up-ann")).Searches);
    }

    [Fact]
    public async Task Given_saved_and_deleted_searches_and_a_zone_When_reading_the_users_stream_Then_each_is_an_event_with_who_when_and_the_command()
    {
        await fixture.GrantPersonaAsync("up-cat", Personas.Auditor);
        var actor = PortalHostFixture.Actor("up-cat");
        var searchId = Guid.CreateVersion7();
        var deleteCommand = Guid.CreateVersion7();
        Assert.True((await Service.SaveSearchAsync(actor, Guid.CreateVersion7(), searchId, "Alice", "/audit?actor=alice")).Succeeded);
        Assert.True((await Service.DeleteSearchAsync(actor, deleteCommand, searchId)).Succeeded);
        Assert.True((await Service.ChooseTimeZoneAsync(actor, Guid.CreateVersion7(), "Europe/Paris")).Succeeded);

        var events = await fixture.EventsAsync(UserPreferences.StreamIdFor("up-cat"));

        Assert.Equal([typeof(SearchSaved), typeof(SavedSearchDeleted), typeof(TimeZoneChosen)], events.Select(e => e.EventType));
        Assert.All(events, e => Assert.Equal("up-cat", e.UserName));
        // Each command is its own operation: its correlation is its command id (a person's actor brings none).
        Assert.All(events, e => Assert.Equal(e.CausationId, e.CorrelationId));
        Assert.Equal(deleteCommand.ToString(), events[1].CausationId);
        Assert.Equal([AuditTypeNames.SearchSaved, AuditTypeNames.SavedSearchDeleted, AuditTypeNames.TimeZoneChosen], events.Select(e => e.EventTypeName));
        Assert.Equal("up-cat", ((TimeZoneChosen)events[2].Data).UserName);
        Assert.Equal("Europe/Paris", (await MineAsync("UP-CAT")).TimeZoneId);
    }

    [Fact]
    public async Task Given_a_signed_in_person_without_any_permission_When_choosing_a_zone_Then_it_is_kept_for_them_but_nobody_signed_in_is_refused()
    {
        var chosen = await Service.ChooseTimeZoneAsync(PortalHostFixture.Actor("up-nobody-granted"), Guid.CreateVersion7(), "America/New_York");
        Assert.True(chosen.Succeeded, chosen.Message);
        Assert.Equal("America/New_York", (await MineAsync("up-nobody-granted")).TimeZoneId);

        var anonymous = await Service.ChooseTimeZoneAsync(new Actor("", Guid.CreateVersion7().ToString()), Guid.CreateVersion7(), "Europe/Paris");
        Assert.Equal(CommandStatus.Forbidden, anonymous.Status);
        Assert.Null((await MineAsync("")).TimeZoneId);
    }

    [Fact]
    public async Task Given_the_same_command_sent_twice_When_saving_Then_one_search_is_saved_and_both_answers_agree()
    {
        var actor = PortalHostFixture.Actor("up-dan");
        var commandId = Guid.CreateVersion7();
        var searchId = Guid.CreateVersion7();

        var first = await Service.SaveSearchAsync(actor, commandId, searchId, "Jobs", "/jobs?status=Open");
        var again = await Service.SaveSearchAsync(actor, commandId, searchId, "Jobs", "/jobs?status=Open");

        Assert.True(first.Succeeded, first.Message);
        Assert.Equal(first, again);
        Assert.Single((await MineAsync("up-dan")).Searches);
    }
}
