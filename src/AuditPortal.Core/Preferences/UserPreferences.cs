namespace AuditPortal.Core.Preferences;

/// <summary>A named search a user saved: the address of a list with its filters (e.g. <c>/audit?actor=alice</c>).</summary>
public sealed record SavedSearch(Guid Id, string Name, string Address, DateTimeOffset SavedAt);

public sealed record SearchSaved(string UserName, Guid SearchId, string Name, string Address, DateTimeOffset SavedAt);
public sealed record SavedSearchDeleted(string UserName, Guid SearchId, string Name, DateTimeOffset DeletedAt);
/// <summary>The zone the user reads times in: an IANA id, or null for UTC (the default).</summary>
public sealed record TimeZoneChosen(string UserName, string? TimeZoneId, DateTimeOffset ChosenAt);

public sealed record SaveSearch(string Name, string Address, Guid SearchId, string By, DateTimeOffset At);
public sealed record DeleteSavedSearch(Guid SearchId, string By, DateTimeOffset At);
public sealed record ChooseTimeZone(string? TimeZoneId, string By, DateTimeOffset At);

/// <summary>
/// One stream per user ("user_preferences" stream type) with what that user chose for themselves: saved searches and
/// the time zone they read times in. Private to the user by construction: the stream id derives from the signed-in
/// user's name, and no service takes another name.
/// </summary>
public sealed record UserPreferences(Guid Id, string UserName, string? TimeZoneId, IReadOnlyList<SavedSearch> Searches)
{
    public static UserPreferences Create(SearchSaved e) => Empty(e.UserName).Apply(e);
    public static UserPreferences Create(SavedSearchDeleted e) => Empty(e.UserName);
    public static UserPreferences Create(TimeZoneChosen e) => Empty(e.UserName).Apply(e);

    public UserPreferences Apply(SearchSaved e) => this with { Searches = [.. Searches, new SavedSearch(e.SearchId, e.Name, e.Address, e.SavedAt)] };
    public UserPreferences Apply(SavedSearchDeleted e) => this with { Searches = Searches.Where(s => s.Id != e.SearchId).ToList() };
    public UserPreferences Apply(TimeZoneChosen e) => this with { TimeZoneId = e.TimeZoneId };

    public static UserPreferences Empty(string userName) => new(StreamIdFor(userName), userName, null, []);

    /// <summary>A name-based UUID (RFC 9562 version 5 layout) of the case-folded user name, in a namespace of its own.</summary>
    public static Guid StreamIdFor(string userName) => NameBasedId.Of("auditportal:user-preferences:" + userName.Trim().ToLowerInvariant());
}

/// <summary>The pure decisions on a user's preferences.</summary>
public static class UserPreferencesDecisions
{
    public const int MaxSavedSearches = 100;
    public const int MaxAddressLength = 2000;

    public static SearchSaved Handle(UserPreferences? state, SaveSearch command)
    {
        var name = Guard.Name(command.Name, "name");
        var address = (command.Address ?? "").Trim();
        // Only an address inside the portal: a saved search is reopened by navigating to it, never to another site.
        if (address.Length == 0 || address[0] != '/' || address.StartsWith("//", StringComparison.Ordinal) || address.Contains('\\')
            || address.Length > MaxAddressLength || address.Any(char.IsControl))
            throw new DomainException(new ValidationError("address", "A saved search is an address inside the portal, starting with \"/\"."));
        var searches = state?.Searches ?? [];
        if (searches.Count >= MaxSavedSearches)
            throw new DomainException(new RuleViolated("saved-searches-full", $"You have {MaxSavedSearches} saved searches; delete one first."));
        if (searches.Any(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)))
            throw new DomainException(new ValidationError("name", $"You already have a saved search named \"{name}\"; choose another name or delete it first."));
        if (searches.Any(s => s.Id == command.SearchId))
            throw new DomainException(new ValidationError("searchId", "This search is already saved."));
        return new SearchSaved(command.By, command.SearchId, name, address, command.At);
    }

    public static SavedSearchDeleted Handle(UserPreferences? state, DeleteSavedSearch command) =>
        state?.Searches.FirstOrDefault(s => s.Id == command.SearchId) is { } search
            ? new SavedSearchDeleted(command.By, search.Id, search.Name, command.At)
            : throw new DomainException(new NotFound("Saved search", command.SearchId.ToString()));

    public static TimeZoneChosen Handle(UserPreferences? state, ChooseTimeZone command)
    {
        var id = string.IsNullOrWhiteSpace(command.TimeZoneId) ? null : command.TimeZoneId.Trim();
        // UTC is the default: choosing it records null, so "no choice" and "UTC" read the same everywhere.
        if (id is not null && string.Equals(id, "UTC", StringComparison.OrdinalIgnoreCase)) id = null;
        if (id is not null && !TimeZones.IsKnown(id))
            throw new DomainException(new ValidationError("timeZone", $"\"{id}\" is not a time zone this server knows (an IANA id such as Europe/Paris)."));
        if (id == state?.TimeZoneId)
            throw new DomainException(new RuleViolated("unchanged", id is null ? "Times are already shown in UTC." : $"Times are already shown in {id}."));
        return new TimeZoneChosen(command.By, id, command.At);
    }
}

/// <summary>The time zones a user may pick: the server's IANA ids (TimeZoneInfo), one list for the decision and the page.</summary>
public static class TimeZones
{
    private static readonly Lazy<string[]> Ids = new(() =>
        TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(id => id.Contains('/') && !id.StartsWith("Etc/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray());

    /// <summary>The region ids (Europe/Paris, America/New_York …), sorted; UTC is offered apart as the default.</summary>
    public static IReadOnlyList<string> All => Ids.Value;

    public static bool IsKnown(string id) => Array.BinarySearch(Ids.Value, id, StringComparer.Ordinal) >= 0;

    /// <summary>The zone of an id as recorded (null or unknown: UTC, so a zone removed from the server never breaks a page).</summary>
    public static TimeZoneInfo Find(string? id) =>
        id is not null && IsKnown(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}
