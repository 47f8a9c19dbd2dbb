namespace AuditPortal.Core.Preferences;

/// <summary>
/// The signed-in user's own preferences: commands through <see cref="CommandExecutor.ExecuteOwnAsync"/> on the stream of
/// the actor's own name, and a read of that stream only. No method takes another user's name, so nobody reads or
/// changes someone else's saved searches.
/// </summary>
public sealed class UserPreferencesService(CommandExecutor executor, TimeProvider time) : IUserPreferencesCommands
{
    public Task<CommandResult> SaveSearchAsync(Actor actor, Guid commandId, Guid searchId, string name, string address, CancellationToken ct = default) =>
        Decide(actor, commandId, nameof(SaveSearch), state => UserPreferencesDecisions.Handle(state, new SaveSearch(name, address, searchId, actor.UserName, time.GetUtcNow())),
            e => $"Search \"{e.Name}\" saved.", ct);

    public Task<CommandResult> DeleteSearchAsync(Actor actor, Guid commandId, Guid searchId, CancellationToken ct = default) =>
        Decide(actor, commandId, nameof(DeleteSavedSearch), state => UserPreferencesDecisions.Handle(state, new DeleteSavedSearch(searchId, actor.UserName, time.GetUtcNow())),
            e => $"Search \"{e.Name}\" deleted.", ct);

    public Task<CommandResult> ChooseTimeZoneAsync(Actor actor, Guid commandId, string? timeZoneId, CancellationToken ct = default) =>
        Decide(actor, commandId, nameof(ChooseTimeZone), state => UserPreferencesDecisions.Handle(state, new ChooseTimeZone(timeZoneId, actor.UserName, time.GetUtcNow())),
            e => e.TimeZoneId is null ? "Times are shown in UTC." : $"Times are shown in {e.TimeZoneId}, with UTC beside them.", ct);

    private Task<CommandResult> Decide<TEvent>(Actor actor, Guid commandId, string commandType, Func<UserPreferences?, TEvent> decide, Func<TEvent, string> accepted, CancellationToken ct)
        where TEvent : notnull =>
        executor.ExecuteOwnAsync(actor, commandId, commandType, async session =>
        {
            // Optimistic: two tabs of one user racing for the next version answer with a conflict, never a lost change.
            var stream = await session.Events.FetchForWriting<UserPreferences>(UserPreferences.StreamIdFor(actor.UserName), ct);
            var decided = decide(stream.Aggregate);
            stream.AppendOne(decided);
            return CommandResult.Accepted(stream.Id, stream.CurrentVersion ?? 1, accepted(decided));
        }, ct);

    /// <summary>The preferences of the user <paramref name="actor"/> names (empty for nobody signed in or no choice yet).</summary>
    public static async Task<UserPreferences> ReadAsync(IDocumentStore store, Actor actor, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(actor.UserName) || actor.UserName.StartsWith("system:", StringComparison.Ordinal)) return UserPreferences.Empty("");
        await using var session = store.QuerySession();
        return await session.Events.AggregateStreamAsync<UserPreferences>(UserPreferences.StreamIdFor(actor.UserName), token: ct)
            ?? UserPreferences.Empty(actor.UserName);
    }
}

/// <summary>The commands on the caller's own preferences (the pages' view of <see cref="UserPreferencesService"/>).</summary>
public interface IUserPreferencesCommands
{
    Task<CommandResult> SaveSearchAsync(Actor actor, Guid commandId, Guid searchId, string name, string address, CancellationToken ct = default);
    Task<CommandResult> DeleteSearchAsync(Actor actor, Guid commandId, Guid searchId, CancellationToken ct = default);
    Task<CommandResult> ChooseTimeZoneAsync(Actor actor, Guid commandId, string? timeZoneId, CancellationToken ct = default);
}

/// <summary>The signed-in user's own preferences; there is no way to ask for another user's.</summary>
public interface IUserPreferencesReads
{
    Task<UserPreferences> MineAsync(CancellationToken ct = default);
}

/// <summary>The signed-in user's preferences, read for that user only (scoped to the circuit).</summary>
public sealed class UserPreferencesReads(IDocumentStore store, ICurrentActor current) : IUserPreferencesReads
{
    public async Task<UserPreferences> MineAsync(CancellationToken ct = default) =>
        await UserPreferencesService.ReadAsync(store, await current.GetActorAsync(), ct);
}
