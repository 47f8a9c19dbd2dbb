namespace AuditPortal.Web.Infrastructure.Auth;

public static class AccountNames
{
    /// <summary>Command services trust "system:" actors without an ACL check: no person may ever act under such a name.</summary>
    public static bool IsReserved(string userName) =>
        userName.StartsWith("system:", StringComparison.OrdinalIgnoreCase) || userName.Contains(':', StringComparison.Ordinal);

    /// <summary>
    /// The portal user of an OpenID Connect sign-in: the issuer's stable subject, never a display name that users can
    /// choose. "sub@issuer" without the scheme; ':' (a port) becomes '_' because a ':' would read as a reserved name.
    /// </summary>
    public static string ForSubject(string issuer, string subject)
    {
        var where = Uri.TryCreate(issuer, UriKind.Absolute, out var uri) ? (uri.Authority + uri.AbsolutePath).TrimEnd('/') : issuer;
        return $"{subject}@{where}".Replace(':', '_');
    }

    /// <summary>Only a path on this site, never another origin ("//evil", "/\evil", "https://...").</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
            && Uri.IsWellFormedUriString(url, UriKind.Relative)
            ? url
            : "/";
}
