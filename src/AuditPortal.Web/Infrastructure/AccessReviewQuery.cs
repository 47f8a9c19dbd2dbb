using AuditPortal.Core.Common;
using Microsoft.AspNetCore.WebUtilities;

namespace AuditPortal.Web.Infrastructure;

/// <summary>The access review's filter as URL query parameters, shared by the page and the CSV endpoint.</summary>
public static class AccessReviewQuery
{
    public static (AccessReviewFilter? Filter, string? Error) Parse(string? person, string? permission, string? timeBound, string? idleDays)
    {
        if (person is { Length: > AccessReviewFilter.MaxPersonLength })
            return (null, $"The person filter is {person.Length} characters long; at most {AccessReviewFilter.MaxPersonLength} are allowed.");
        if (person is not null && person.Any(char.IsControl))
            return (null, "The person filter contains a control character (such as a line break); remove it and try again.");
        Permission? parsedPermission = null;
        if (!string.IsNullOrWhiteSpace(permission))
        {
            if (!Enum.TryParse<Permission>(permission.Trim(), ignoreCase: true, out var p) || !Enum.IsDefined(p) || int.TryParse(permission, out _))
                return (null, $"\"{Short(permission)}\" is not a permission (one of {string.Join(", ", Enum.GetNames<Permission>())}).");
            parsedPermission = p;
        }
        int? days = null;
        if (!string.IsNullOrWhiteSpace(idleDays))
        {
            if (!int.TryParse(idleDays.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var d) || d is < 1 or > 36500)
                return (null, $"\"{Short(idleDays)}\" is not a number of days (a whole number from 1 to 36500).");
            days = d;
        }
        var bounded = timeBound?.Trim().ToLowerInvariant() is "true" or "1" or "on";
        return (new AccessReviewFilter(string.IsNullOrWhiteSpace(person) ? null : person.Trim(), parsedPermission, bounded, days), null);
    }

    public static string ToQueryString(AccessReviewFilter filter)
    {
        var query = new Dictionary<string, string?>();
        if (filter.Person is { Length: > 0 } person) query["person"] = person;
        if (filter.Permission is { } permission) query["permission"] = permission.ToString();
        if (filter.TimeBoundOnly) query["timeBound"] = "true";
        if (filter.IdleDays is { } days) query["idleDays"] = days.ToString(CultureInfo.InvariantCulture);
        return QueryHelpers.AddQueryString("", query);
    }

    private static string Short(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
