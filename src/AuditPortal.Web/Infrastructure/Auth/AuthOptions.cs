namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>The "Auth" configuration section.</summary>
public sealed class AuthOptions
{
    /// <summary>Local accounts by user name: Auth:Users:&lt;name&gt;:PasswordHash (made by `-- hash-password`).</summary>
    public Dictionary<string, LocalUser> Users { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The demo accounts of <see cref="DemoAccounts"/>; only ever honoured in Development.</summary>
    public bool DemoAccounts { get; set; } = true;

    public LockoutOptions Lockout { get; set; } = new();

    public double SessionHours { get; set; } = 8;

    /// <summary>No session outlives this since its sign-in, however active (the cookie slides; open circuits do not renew it).</summary>
    public double MaxSessionHours { get; set; } = 24;

    /// <summary>How often an open circuit re-checks its user (sign-out elsewhere, removed account, session end).</summary>
    public double RevalidationSeconds { get; set; } = 60;

    /// <summary>How often a node reads the sign-outs other nodes recorded (its own take effect at once).</summary>
    public double SignOutSyncSeconds { get; set; } = 5;

    /// <summary>Sign-in posts per client network (IPv4 address or IPv6 /64, <see cref="ClientNetwork"/>) and minute (ASP.NET Core rate limiter); more answer 429.</summary>
    public int SignInPermitsPerMinute { get; set; } = 30;

    /// <summary>Passwords hashed at once (PBKDF2 at 600,000 iterations takes a core for a while); default the processor count.</summary>
    public int? MaxConcurrentPasswordChecks { get; set; }

    /// <summary>How long a sign-in waits for a free hashing slot before it is answered 429 "try again".</summary>
    public double PasswordCheckWaitMilliseconds { get; set; } = 250;

    public OpenIdConnectSettings OpenIdConnect { get; set; } = new();
}

public sealed class LocalUser
{
    public string PasswordHash { get; set; } = "";
}

public sealed class LockoutOptions
{
    public int MaxFailedAttempts { get; set; } = 5;
    public double Minutes { get; set; } = 15;
}

public sealed class OpenIdConnectSettings
{
    public string Authority { get; set; } = "";
    public string ClientId { get; set; } = "";
    public string ClientSecret { get; set; } = "";
    public string DisplayName { get; set; } = "single sign-on";
    /// <summary>Shown as the user's display name only: the portal user is the issuer's stable subject (see AccountNames.ForSubject).</summary>
    public string NameClaim { get; set; } = "preferred_username";
    public string Scopes { get; set; } = "openid profile";

    /// <summary>False lets an http:// authority serve its metadata: Development only (StartupSafety refuses it elsewhere).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// A single sign-on session is good for this long, then the portal asks the provider again (silently while the
    /// provider's own session lasts): a user disabled at the provider loses portal access within this bound.
    /// </summary>
    public double SessionMinutes { get; set; } = 15;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}
