namespace AuditPortal.Core.AccessControl;

/// <summary>
/// One current grant on the portal's own list, as an access review shows it: who (the stable subject, and the display
/// name their last sign-in gave), what, granted by whom and when, until when, and when they last signed in.
/// </summary>
public sealed record AccessReviewRow(
    string Principal, string? DisplayName, Permission Permission, string GrantedBy, DateTimeOffset GrantedAt, string Reason,
    DateTimeOffset? Until, DateTimeOffset? LastSignedInAt, string? LastSignInMethod);

/// <summary>
/// The review's filter, kept in the page's address (and the export's): text in the subject or display name, one
/// permission, only time-bound grants, only people without a sign-in in the last <see cref="IdleDays"/> days.
/// </summary>
public sealed record AccessReviewFilter(string? Person = null, Permission? Permission = null, bool TimeBoundOnly = false, int? IdleDays = null)
{
    public const int MaxPersonLength = 200;

    public bool Matches(AccessReviewRow row, DateTimeOffset now) =>
        (string.IsNullOrWhiteSpace(Person)
            || row.Principal.Contains(Person.Trim(), StringComparison.OrdinalIgnoreCase)
            || row.DisplayName?.Contains(Person.Trim(), StringComparison.OrdinalIgnoreCase) == true)
        && (Permission is not { } p || row.Permission == p)
        && (!TimeBoundOnly || row.Until is not null)
        && (IdleDays is not { } days || row.LastSignedInAt is not { } last || last < now.AddDays(-days));

    /// <summary>In words, for the export's record ("person contains 'ada'; time-bound only").</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(Person)) parts.Add($"person contains '{Person.Trim()}'");
        if (Permission is { } p) parts.Add($"permission {p}");
        if (TimeBoundOnly) parts.Add("time-bound only");
        if (IdleDays is { } d) parts.Add($"no sign-in for {d.ToString(CultureInfo.InvariantCulture)} days");
        return "access review of the portal's list" + (parts.Count == 0 ? "" : ": " + string.Join("; ", parts));
    }
}

/// <summary>The review as CSV, through the audit export's cell escaping (<see cref="AuditExport.CsvRow"/>).</summary>
public static class AccessReviewCsv
{
    private static readonly string[] Header =
        ["principal", "display_name", "permission", "granted_by", "granted_at", "until", "last_sign_in", "last_sign_in_method", "reason"];

    public static async Task<int> WriteAsync(IReadOnlyList<AccessReviewRow> rows, Stream output, CancellationToken ct = default)
    {
        await using var writer = new StreamWriter(output, new System.Text.UTF8Encoding(false), bufferSize: 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(AuditExport.CsvRow(Header));
        foreach (var row in rows)
        {
            await writer.WriteAsync(AuditExport.CsvRow(
                row.Principal, row.DisplayName ?? "", row.Permission.ToString(), row.GrantedBy, Time(row.GrantedAt), Time(row.Until),
                Time(row.LastSignedInAt), row.LastSignInMethod ?? "", row.Reason));
        }
        await writer.FlushAsync(ct);
        return rows.Count;
    }

    private static string Time(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";
}
