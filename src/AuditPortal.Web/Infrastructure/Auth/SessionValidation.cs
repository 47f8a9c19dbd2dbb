namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>The one rule for "is this signed-in session still good", shared by the cookie check and the circuit revalidation.</summary>
public sealed class SessionValidation(LocalAccounts accounts, SignOutRecords signOuts, IOptions<AuthOptions> options, TimeProvider time)
{
    /// <summary>UTC ticks of the sign-in, stamped into the cookie.</summary>
    public const string IssuedClaim = "auditportal:issued";

    public const string OpenIdConnectMethod = "oidc";

    public const string SignedOutElsewhere = "signed out elsewhere";

    /// <summary>A single sign-on session older than Auth:OpenIdConnect:SessionMinutes: the provider is asked again.</summary>
    public const string ProviderCheckDue = "due for a check at the identity provider";

    /// <summary>Null when the session is current, else why it ended.</summary>
    public string? Problem(ClaimsPrincipal user)
    {
        if (user.Identity is not { IsAuthenticated: true, Name: { Length: > 0 } name } || AccountNames.IsReserved(name)) return "not signed in";
        if (!long.TryParse(user.FindFirst(IssuedClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var issued)) return "a session from before sign-in records";
        if (signOuts.EndedAfter(name, issued)) return SignedOutElsewhere;
        if (new DateTimeOffset(issued, TimeSpan.Zero).AddHours(options.Value.MaxSessionHours) <= time.GetUtcNow()) return "expired";
        var method = user.FindFirst(ClaimTypes.AuthenticationMethod)?.Value;
        // Accounts of the identity provider are its to remove; local ones must still be configured.
        // The provider is asked again after SessionMinutes (silently while its own session lasts): a user it disabled
        // meanwhile loses the portal within that bound.
        if (method == OpenIdConnectMethod)
        {
            var oidc = options.Value.OpenIdConnect;
            if (!oidc.IsConfigured) return "single sign-on is no longer configured";
            return new DateTimeOffset(issued, TimeSpan.Zero).AddMinutes(oidc.SessionMinutes) <= time.GetUtcNow() ? ProviderCheckDue : null;
        }
        return accounts.Exists(name) ? null : "account removed";
    }
}
