using AuditPortal.Core.Preferences;

namespace AuditPortal.Web.Tests.Preferences;

/// <summary>
/// The user's preferences in memory, kept per user name the way the real stream is (the actor's name picks the stream),
/// with the real pure decisions, so a page under test sees the same answers and refusals.
/// </summary>
public sealed class FakeUserPreferences(ICurrentActor current) : IUserPreferencesReads, IUserPreferencesCommands
{
    private readonly Dictionary<string, UserPreferences> _byUser = new(StringComparer.OrdinalIgnoreCase);

    public List<(string User, object Event)> Recorded { get; } = [];

    public async Task<UserPreferences> MineAsync(CancellationToken ct = default) => Of((await current.GetActorAsync()).UserName);

    public UserPreferences Of(string user) => _byUser.GetValueOrDefault(user) ?? UserPreferences.Empty(user);

    public Task<CommandResult> SaveSearchAsync(Actor actor, Guid commandId, Guid searchId, string name, string address, CancellationToken ct = default) =>
        Decide(actor, p => UserPreferencesDecisions.Handle(p, new SaveSearch(name, address, searchId, actor.UserName, DateTimeOffset.UtcNow)), (p, e) => p.Apply(e), e => $"Search \"{e.Name}\" saved.");

    public Task<CommandResult> DeleteSearchAsync(Actor actor, Guid commandId, Guid searchId, CancellationToken ct = default) =>
        Decide(actor, p => UserPreferencesDecisions.Handle(p, new DeleteSavedSearch(searchId, actor.UserName, DateTimeOffset.UtcNow)), (p, e) => p.Apply(e), e => $"Search \"{e.Name}\" deleted.");

    public Task<CommandResult> ChooseTimeZoneAsync(Actor actor, Guid commandId, string? timeZoneId, CancellationToken ct = default) =>
        Decide(actor, p => UserPreferencesDecisions.Handle(p, new ChooseTimeZone(timeZoneId, actor.UserName, DateTimeOffset.UtcNow)), (p, e) => p.Apply(e), e => $"Time zone {e.TimeZoneId ?? "UTC"} chosen.");

    private Task<CommandResult> Decide<TEvent>(Actor actor, Func<UserPreferences, TEvent> decide, Func<UserPreferences, TEvent, UserPreferences> apply, Func<TEvent, string> message)
        where TEvent : notnull
    {
        try
        {
            var state = Of(actor.UserName);
            var e = decide(state);
            _byUser[actor.UserName] = apply(state, e);
            Recorded.Add((actor.UserName, e));
            return Task.FromResult(CommandResult.Accepted(state.Id, Recorded.Count, message(e)));
        }
        catch (DomainException e)
        {
            return Task.FromResult(CommandResult.Rejected(e.Error));
        }
    }
}
