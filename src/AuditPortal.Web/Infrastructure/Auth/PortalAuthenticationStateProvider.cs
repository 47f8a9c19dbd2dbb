using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace AuditPortal.Web.Infrastructure.Auth;

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
