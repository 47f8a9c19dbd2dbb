using AuditPortal.Core.Approvals;
using MudBlazor;

namespace AuditPortal.Web.Components.Pages.Approvals;

/// <summary>How the approval pages show a request's age, status and target, and the page's filters as an address.</summary>
public static class ApprovalFormat
{
    /// <summary>"12 min", "5 h", "3 d": how long a request has waited.</summary>
    public static string Age(DateTimeOffset since, DateTimeOffset now)
    {
        var age = now - since;
        if (age < TimeSpan.FromHours(1)) return $"{Math.Max(0, (int)age.TotalMinutes)} min";
        if (age < TimeSpan.FromHours(48)) return $"{(int)age.TotalHours} h";
        return $"{(int)age.TotalDays} d";
    }

    public static Color StatusColor(ApprovalStatus status) => status switch
    {
        ApprovalStatus.Pending => Color.Info,
        ApprovalStatus.Approved => Color.Success,
        ApprovalStatus.Rejected => Color.Error,
        _ => Color.Default,
    };

    public static string? TargetLink(ApprovalRequestView request) =>
        request.Action is ApprovalAction.GrantCredits or ApprovalAction.SpendCredits ? $"/wallets/{request.TargetId}" : null;

    /// <summary>The page's address: <c>/approvals?show=mine&amp;status=all</c>; the defaults (to approve, open only) are left out.</summary>
    public static string Address(ApprovalView view, bool pendingOnly) =>
        "/approvals" + ListAddress.Query(("show", view == ApprovalView.ToApprove ? null : Name(view)), ("status", pendingOnly ? null : "all"));

    public static string Name(ApprovalView view) => view switch
    {
        ApprovalView.Mine => "mine",
        ApprovalView.All => "all",
        _ => "to-approve",
    };

    /// <summary>A view named in the address; anything else is the default, never an error.</summary>
    /// <summary>The view and status the address names; anything else is refused with a message (the default applies), never guessed.</summary>
    public static (ApprovalView View, bool PendingOnly, string? Error) Parse(string? show, string? status)
    {
        ApprovalView? view = show?.Trim().ToLowerInvariant() switch
        {
            null or "" or "to-approve" => ApprovalView.ToApprove,
            "mine" => ApprovalView.Mine,
            "all" => ApprovalView.All,
            _ => null,
        };
        bool? pendingOnly = status?.Trim().ToLowerInvariant() switch
        {
            null or "" or "open" => true,
            "all" => false,
            _ => null,
        };
        return (view ?? ApprovalView.ToApprove, pendingOnly ?? true, ListAddress.Errors(
            view is null ? $"\"{show}\" in the address is not a view of this page (to-approve, mine, all): the requests to approve are shown." : null,
            pendingOnly is null ? $"\"{status}\" in the address is not a status filter (open, all): open requests are shown." : null));
    }
}
