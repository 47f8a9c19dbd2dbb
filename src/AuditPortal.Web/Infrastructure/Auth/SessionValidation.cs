using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

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

/// <summary>
/// Re-checks an open circuit's user every Auth:RevalidationSeconds: after a sign-out in another tab, a removed account
/// or the end of the session, the circuit becomes anonymous, so its pages show the sign-in prompt and its services
/// (which ask <see cref="CurrentUser"/>) refuse.
/// </summary>
public sealed class PortalAuthenticationStateProvider(ILoggerFactory loggers, SessionValidation validation, IOptions<AuthOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger<PortalAuthenticationStateProvider>();

    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(Math.Max(0.05, options.Value.RevalidationSeconds));

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        Task.FromResult(IsCurrent(authenticationState.User));

    /// <summary>Why revalidation ended this circuit's session (null while it lasts), for the page that sends the user to sign in.</summary>
    public string? EndedBecause { get; private set; }

    public bool IsCurrent(ClaimsPrincipal user)
    {
        var problem = validation.Problem(user);
        if (problem is not null && user.Identity?.IsAuthenticated == true)
        {
            EndedBecause = problem;
            _logger.LogInformation("Ended the circuit session of {User}: {Reason}", user.Identity.Name, problem);
        }
        return problem is null;
    }
}
