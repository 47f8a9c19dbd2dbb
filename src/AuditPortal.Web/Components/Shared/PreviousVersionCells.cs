namespace AuditPortal.Web.Components.Shared;

/// <summary>
/// List cells while the previous version of the read models answers (a new version is being built): a field that
/// version did not record (added or renamed since) holds a default, not data, so it shows "—" rather than a 0 that
/// would read as a real value.
/// </summary>
public static class PreviousVersionCells
{
    public const string Missing = "—";

    public static string Show(PreviousVersion? previous, string property, object? value)
    {
        if (previous?.Lacks(property) == true) return Missing;
        return value switch
        {
            DateTimeOffset at => DisplayTime.In(at, null),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value?.ToString() ?? "",
        };
    }

    /// <summary>The filters in use that the previous version cannot answer (they match nothing there), for a note under them.</summary>
    public static string? UnansweredFilters(PreviousVersion? previous, params (string Property, string Label, bool InUse)[] filters)
    {
        if (previous is null) return null;
        var unanswered = filters.Where(f => f.InUse && previous.Lacks(f.Property)).Select(f => f.Label).ToList();
        return unanswered.Count == 0 ? null
            : $"The previous version of this list did not record {string.Join(", ", unanswered)}: this filter matches nothing until the new version is built.";
    }
}
