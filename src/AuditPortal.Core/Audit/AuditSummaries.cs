namespace AuditPortal.Core.Audit;

/// <summary>
/// One line in plain words per event type, read from the stored JSON payload (camelCase) so that the feed never
/// needs the CLR types; an unknown type falls back to its name.
/// </summary>
public static class AuditSummaries
{
    public static string Summarize(string eventType, JsonElement data, string? userName = null)
    {
        if (data.ValueKind != JsonValueKind.Object) return Humanize(eventType);
        string S(string name) => Str(data, name);
        var text = AuditTypeNames.EventOf(eventType) switch
        {
            AuditTypeNames.WalletOpened => $"{S("openedBy")} opened wallet {Short(data, "walletId")} for {S("owner")}",
            AuditTypeNames.CreditsGranted => $"{S("grantedBy")} granted {Credits(data, "amount")} to wallet {Short(data, "walletId")}{Kind(data, "manual")}{Source(data)}{Reason(data)}",
            AuditTypeNames.CreditsSpent => $"{S("spentBy")} spent {Credits(data, "amount")} from wallet {Short(data, "walletId")}{Kind(data, "manual")}{Reason(data)}",
            AuditTypeNames.JobPosted => $"{S("postedBy")} posted job \u201c{S("title")}\u201d for {S("owner")} with a budget of {Credits(data, "budget")}",
            AuditTypeNames.ParticipantInvited => $"{S("invitedBy")} invited {S("participant")} to job \u201c{S("title")}\u201d",
            AuditTypeNames.JobApplicationSubmitted => $"{S("appliedBy")} submitted {S("participant")}\u2019s application to job \u201c{S("title")}\u201d",
            AuditTypeNames.ParticipantAccepted => $"{S("acceptedBy")} accepted {S("participant")} on job {Short(data, "jobId")}",
            AuditTypeNames.JobLaunched => $"{S("launchedBy")} launched job {Short(data, "jobId")}, spending {Credits(data, "creditsSpent")} of wallet {Short(data, "ownerWalletId")}",
            AuditTypeNames.JobCompleted => $"{S("completedBy")} completed job {Short(data, "jobId")}",
            AuditTypeNames.JobCancelled => $"{S("cancelledBy")} cancelled job {Short(data, "jobId")}, refunding {Credits(data, "creditsRefunded")}{Reason(data)}",
            AuditTypeNames.AccessControlListCreated => $"{S("createdBy")} created the access-control list of {S("resource")}{Reason(data)}",
            AuditTypeNames.PermissionGranted => $"{S("grantedBy")} granted {S("permission")} to {S("principal")}{(Str(data, "until") is { Length: > 1 } until ? $" until {until}" : "")}{Reason(data)}",
            AuditTypeNames.PermissionExpired => $"{S("principal")}'s {S("permission")} ended at {S("until")} (time-bound grant, recorded by {S("recordedBy")})",
            AuditTypeNames.PermissionRevoked => $"{S("revokedBy")} revoked {S("permission")} from {S("principal")}{Reason(data)}",
            AuditTypeNames.AuditExported => $"{S("exportedBy")} exported {Rows(data)} as {S("format")} ({S("filterDescription")})",
            AuditTypeNames.AuditExportStarted => $"{S("exportedBy")} started an export as {S("format")} ({S("filterDescription")})",
            AuditTypeNames.AuditExportCompleted => $"{S("exportedBy")} {(Bool(data, "aborted") ? "aborted an export after" : "finished an export of")} {Rows(data)}{(Bool(data, "truncated") ? " (cut at the row limit)" : "")}",
            AuditTypeNames.UserSignedIn => $"{Person(data)} signed in ({Method(data)}{From(data)})",
            AuditTypeNames.UserSignedOut => $"{S("userName")} signed out",
            AuditTypeNames.SignInRefused => $"Sign-in of {S("userName")} refused ({Method(data)}{From(data)}): {S("reason")}",
            AuditTypeNames.CommandDenied => $"{S("userName")} was refused {S("commandType")}: missing {S("missingPermission")}",
            AuditTypeNames.ReadRefused => $"{S("userName")} was refused a read of {S("resource")}: missing {S("missingPermission")}",
            AuditTypeNames.SignInLocked => $"Sign-in of {S("userName")} locked until {S("lockedUntil")} after {Int(data, "failedAttempts")} failed attempts",
            // Four eyes: the request names its change; decisions name the request (the explorer links them by correlation).
            AuditTypeNames.ApprovalRequested => $"{S("requestedBy")} asked a second person to approve: {Asked(data)} on {S("targetName")}{Reason(data)}",
            AuditTypeNames.RequestApproved => $"{S("approvedBy")} approved request {Short(data, "requestId")}",
            AuditTypeNames.ApprovalRefused => $"{S("triedBy")}'s approval of request {Short(data, "requestId")} was refused: {S("why")}",
            AuditTypeNames.RequestRejected => $"{S("rejectedBy")} rejected request {Short(data, "requestId")}{Reason(data)}",
            AuditTypeNames.RequestWithdrawn => $"{S("withdrawnBy")} withdrew request {Short(data, "requestId")}{Reason(data)}",
            AuditTypeNames.ServiceTokenIssued => $"{S("issuedBy")} issued a token for {S("principal")} valid until {S("expiresAt")}{Reason(data)}",
            AuditTypeNames.ServiceTokenRevoked => $"{S("revokedBy")} revoked token {Short(data, "tokenId")} of {S("principal")}{Reason(data)}",
            AuditTypeNames.ServiceTokenUsed => $"{S("principal")} used token {Short(data, "tokenId")} in the minute from {S("minute")}{From(data)}",
            AuditTypeNames.RequestExpired => $"Request {Short(data, "requestId")} expired with nobody acting",
            // A user's own preferences: on the record like everything, listed in the menu of their owner only.
            AuditTypeNames.SearchSaved => $"{S("userName")} saved the search \u201c{S("name")}\u201d ({S("address")})",
            AuditTypeNames.SavedSearchDeleted => $"{S("userName")} deleted the saved search \u201c{S("name")}\u201d",
            AuditTypeNames.TimeZoneChosen => $"{S("userName")} chose to read times in {(Str(data, "timeZoneId") is { Length: > 1 } zone ? zone : "UTC")}",
            _ => Humanize(eventType) + (string.IsNullOrEmpty(userName) ? "" : $" by {userName}"),
        };
        return OneLine(text);
    }

    /// <summary>"Ada Lovelace (ada@idp.example)": the name people recognise beside the stable one the ACL knows.</summary>
    public static string Person(JsonElement data)
    {
        var user = Str(data, "userName");
        var display = Str(data, "displayName");
        return display is "" or "?" || string.Equals(display, user, StringComparison.OrdinalIgnoreCase) ? user : $"{display} ({user})";
    }

    private static string Method(JsonElement data) => Str(data, "method") switch
    {
        "oidc" => "single sign-on",
        var m => m,
    };

    private static string From(JsonElement data) => Str(data, "clientAddress") is { Length: > 0 } a && a != "?" ? $" from {a}" : "";

    /// <summary>credits_granted → "Credits granted".</summary>
    public static string Humanize(string eventType)
    {
        var words = eventType.Replace('_', ' ').Trim();
        return words.Length == 0 ? "(unknown event)" : char.ToUpperInvariant(words[0]) + words[1..];
    }

    private static string Str(JsonElement data, string name) =>
        data.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString() ?? "",
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => v.GetRawText(),
        } : "?";

    private static bool Bool(JsonElement data, string name) => data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static string Credits(JsonElement data, string name) => Int(data, name) is var n && n == "1" ? "1 credit" : $"{Int(data, name)} credits";

    private static string Asked(JsonElement data) => Str(data, "action") switch
    {
        "GrantCredits" => $"grant {Credits(data, "amount")}",
        "SpendCredits" => $"spend {Credits(data, "amount")}",
        "GrantPermission" => $"grant {S(data, "permission")} to {S(data, "principal")}",
        "RevokePermission" => $"revoke {S(data, "permission")} from {S(data, "principal")}",
        var other => other,
    };

    private static string S(JsonElement data, string name) => Str(data, name);

    private static string Rows(JsonElement data) => Int(data, "rowCount") is var n && n == "1" ? "1 audit row" : $"{Int(data, "rowCount")} audit rows";

    private static string Int(JsonElement data, string name) =>
        data.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n.ToString("N0", CultureInfo.InvariantCulture) : "?";

    /// <summary>Guids shortened to their first 8 characters and an ellipsis, like a commit hash.</summary>
    private static string Short(JsonElement data, string name)
    {
        var s = Str(data, name);
        return s.Length > 8 ? s[..8] + "\u2026" : s;
    }

    private static string Reason(JsonElement data)
    {
        var reason = Str(data, "reason");
        return reason is "" or "?" ? "" : $" \u2014 {reason}";
    }

    /// <summary>Names a non-default grant/spend type (refund, jobLaunch) with its job when there is one.</summary>
    /// <summary>
    /// A grant's source when it adds to its type: v2 grants from a campaign or an approval. A v1 body has none, and its
    /// upcast source (Manual, or Refund for a refund) is what its type already says.
    /// </summary>
    private static string Source(JsonElement data) => Str(data, "source") switch
    {
        "Campaign" => " from a campaign",
        "Approval" => " after approval",
        _ => "",
    };

    private static string Kind(JsonElement data, string ordinary)
    {
        var type = Str(data, "type");
        if (type is "" or "?" || string.Equals(type, ordinary, StringComparison.OrdinalIgnoreCase)) return "";
        var job = data.TryGetProperty("typeMetadata", out var meta) && meta.ValueKind == JsonValueKind.Object ? Short(meta, "jobId") : "";
        return job is "" or "?" ? $" ({type})" : $" ({type} of job {job})";
    }

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
