using AuditPortal.Core.ServiceTokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// How the feed for security tools (<see cref="SiemFeedEndpoint"/>) authenticates: the only endpoint that accepts a bearer
/// token (<see cref="ServiceTokenAuthentication"/>); a signed-in person's cookie works too. Every other endpoint
/// authenticates with the cookie alone (the default scheme), so a token opens nothing else.
/// </summary>
public static class SiemFeedRegistration
{
    /// <summary>The endpoint's policy: a signed-in person or a valid token; ExportAudit is checked by <see cref="SiemFeed"/>.</summary>
    public const string Policy = "AuditFeed";

    /// <summary>The feed's scheme: the bearer token when the request carries one, else the cookie; challenges answer 401.</summary>
    public const string Scheme = "AuditFeed";

    public static IServiceCollection AddSiemFeed(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ServiceTokenAuthentication>(ServiceTokenAuthentication.SchemeName, null)
            .AddPolicyScheme(Scheme, null, o =>
            {
                o.ForwardDefaultSelector = http => ServiceTokenAuthentication.BearerOf(http.Request) is not null
                    ? ServiceTokenAuthentication.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme;
                // A machine is told 401, never redirected to the sign-in form.
                o.ForwardChallenge = ServiceTokenAuthentication.SchemeName;
            });
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return services;
    }
}
