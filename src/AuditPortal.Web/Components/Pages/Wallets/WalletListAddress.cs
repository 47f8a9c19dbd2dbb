using AuditPortal.Core.Wallets;

namespace AuditPortal.Web.Components.Pages.Wallets;

/// <summary>
/// The wallet list's filters and sort as a query string (<c>/wallets?changedSince=2026-11-30&amp;sort=LastChangedAt&amp;desc=true</c>),
/// spelled by <see cref="ListAddress"/>: one spelling for the page that reads and writes it and for the links that open the list filtered.
/// </summary>
public static class WalletListAddress
{
    /// <summary>The columns the list sorts by; any other name in an address is refused with a message (the default order applies).</summary>
    public static readonly string[] SortColumns =
    [
        nameof(WalletSummary.Owner), nameof(WalletSummary.Balance), nameof(WalletSummary.TransactionCount),
        nameof(WalletSummary.TotalGranted), nameof(WalletSummary.TotalSpent), nameof(WalletSummary.LastChangedAt),
        nameof(WalletSummary.LastChangedBy), nameof(WalletSummary.Version),
    ];

    /// <summary>The wallets changed since the start of this UTC day, the latest change first.</summary>
    public static string ChangedSince(DateTimeOffset dayStart) =>
        "/wallets" + Query(null, null, null, ListAddress.Day(dayStart.UtcDateTime), nameof(WalletSummary.LastChangedAt), descending: true);

    /// <summary>The query string of this state, empty when nothing is set; parameters always in the same order.</summary>
    public static string Query(string? owner, int? min, int? max, string? changedSince, string? sort, bool descending) =>
        ListAddress.Query([
            ("owner", owner), ("min", min?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("max", max?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("changedSince", changedSince),
            .. ListAddress.Sort(sort, descending)]);

    public static string? Day(DateTime? day) => ListAddress.Day(day);

    /// <summary>A UTC day as the address gives it; anything else is refused with a message, never guessed.</summary>
    public static (DateTime? Day, string? Error) ParseDay(string? text) => ListAddress.ParseDay(text, "the list is not filtered by the time of change");

}
