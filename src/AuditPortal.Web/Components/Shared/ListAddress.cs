using Microsoft.AspNetCore.Components;

namespace AuditPortal.Web.Components.Shared;

/// <summary>
/// A list's filters and sort as its query string (<c>/jobs?status=Open&amp;sort=Budget&amp;desc=true</c>), one spelling
/// for every list: parameters in a fixed order, empty ones left out, and every value read back from an address either
/// understood or refused with a message that says what was ignored (never a guess).
/// </summary>
public static class ListAddress
{
    /// <summary>The query string of these parameters, empty when none is set; the order is the order given.</summary>
    public static string Query(params (string Name, string? Value)[] parameters)
    {
        var parts = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }

    /// <summary>The sort parameters: a column and, only with one, <c>desc=true</c>.</summary>
    public static (string Name, string? Value)[] Sort(string? column, bool descending) =>
        [("sort", column), ("desc", column is { Length: > 0 } && descending ? "true" : null)];

    public static string? Day(DateTime? day) => day?.ToString(DisplayTime.DayFormat, CultureInfo.InvariantCulture);

    /// <summary>A UTC day as the address gives it; anything else is refused with a message, never guessed.</summary>
    public static (DateTime? Day, string? Error) ParseDay(string? text, string ignored)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        return DateTime.TryParseExact(text.Trim(), DisplayTime.DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? (DateTime.SpecifyKind(day, DateTimeKind.Utc), null)
            : (null, $"\"{text}\" in the address is not a day (expected {DisplayTime.DayFormat}): {ignored}.");
    }

    /// <summary>One of <paramref name="columns"/> (any case), or an error naming the columns the list sorts by.</summary>
    public static (string? Column, string? Error) ParseSort(string? text, IReadOnlyCollection<string> columns)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        var known = columns.FirstOrDefault(c => string.Equals(c, text.Trim(), StringComparison.OrdinalIgnoreCase));
        return known is not null ? (known, null)
            : (null, $"\"{text}\" in the address is not a column this list sorts by ({string.Join(", ", columns)}): the default order applies.");
    }

    /// <summary>"true"/"false" (any case) or nothing; anything else is refused.</summary>
    public static (bool Value, string? Error) ParseFlag(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text)) return (false, null);
        return bool.TryParse(text.Trim(), out var value) ? (value, null)
            : (false, $"\"{text}\" in the address is not true or false for \"{name}\": it is read as false.");
    }

    /// <summary>A member of <typeparamref name="T"/> by name (any case; numbers are not names), or an error listing the names.</summary>
    public static (T? Value, string? Error) ParseEnum<T>(string? text, string ignored) where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        var name = Enum.GetNames<T>().FirstOrDefault(n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase));
        return name is not null ? (Enum.Parse<T>(name), null)
            : (null, $"\"{text}\" in the address is not one of {string.Join(", ", Enum.GetNames<T>())}: {ignored}.");
    }

    /// <summary>Every message of an address, one sentence after the other; null when it was understood.</summary>
    public static string? Errors(params string?[] errors) =>
        errors.Where(e => e is not null).ToList() is { Count: > 0 } list ? string.Join(" ", list) : null;
}
