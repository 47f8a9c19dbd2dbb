using System.Globalization;
using AuditPortal.Core.Wallets;
using AuditPortal.Web.Components.Shared;

namespace AuditPortal.Web.Components.Pages.Wallets;

/// <summary>
/// The wallet list's filters and sort as a query string (<c>/wallets?changedSince=2026-11-30&amp;sort=LastChangedAt&amp;desc=true</c>):
/// one spelling for the page that reads and writes it and for the links that open the list filtered.
/// </summary>
public static class WalletListAddress
{
    /// <summary>The columns the list sorts by; any other name in an address is ignored (the default order applies).</summary>
    public static readonly string[] SortColumns =
    [
        nameof(WalletSummary.Owner), nameof(WalletSummary.Balance), nameof(WalletSummary.TransactionCount),
        nameof(WalletSummary.TotalGranted), nameof(WalletSummary.TotalSpent), nameof(WalletSummary.LastChangedAt),
        nameof(WalletSummary.LastChangedBy), nameof(WalletSummary.Version),
    ];

    /// <summary>The wallets changed since the start of this UTC day, the latest change first.</summary>
    public static string ChangedSince(DateTimeOffset dayStart) =>
        "/wallets" + Query(null, null, null, Day(dayStart.UtcDateTime), nameof(WalletSummary.LastChangedAt), descending: true);

    /// <summary>The query string of this state, empty when nothing is set; parameters always in the same order.</summary>
    public static string Query(string? owner, int? min, int? max, string? changedSince, string? sort, bool descending)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) parts.Add($"{name}={Uri.EscapeDataString(value)}");
        }
        Add("owner", owner);
        Add("min", min?.ToString(CultureInfo.InvariantCulture));
        Add("max", max?.ToString(CultureInfo.InvariantCulture));
        Add("changedSince", changedSince);
        Add("sort", sort);
        if (sort is { Length: > 0 } && descending) Add("desc", "true");
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }

    public static string? Day(DateTime? day) => day?.ToString(DisplayTime.DayFormat, CultureInfo.InvariantCulture);

    /// <summary>A UTC day as the address gives it; anything else is refused with a message, never guessed.</summary>
    public static (DateTime? Day, string? Error) ParseDay(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        return DateTime.TryParseExact(text.Trim(), DisplayTime.DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? (DateTime.SpecifyKind(day, DateTimeKind.Utc), null)
            : (null, $"\"{text}\" in the address is not a day (expected {DisplayTime.DayFormat}): the list is not filtered by the time of change.");
    }

    public static string? KnownSort(string? sort) => SortColumns.FirstOrDefault(c => string.Equals(c, sort, StringComparison.OrdinalIgnoreCase));
}
