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
    public string NameClaim { get; set; } = "preferred_username";
    public string Scopes { get; set; } = "openid profile";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}
