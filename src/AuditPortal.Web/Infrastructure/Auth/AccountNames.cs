namespace AuditPortal.Web.Infrastructure.Auth;

public static class AccountNames
{
    /// <summary>Command services trust "system:" actors without an ACL check: no person may ever act under such a name.</summary>
    public static bool IsReserved(string userName) =>
        userName.StartsWith("system:", StringComparison.OrdinalIgnoreCase) || userName.Contains(':', StringComparison.Ordinal);

    /// <summary>Only a path on this site, never another origin ("//evil", "/\evil", "https://...").</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
            && Uri.IsWellFormedUriString(url, UriKind.Relative)
            ? url
            : "/";
}
