using System.Text.Encodings.Web;
using AuditPortal.Core.ServiceTokens;
using Microsoft.AspNetCore.Authentication;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// <c>Authorization: Bearer apt_…</c>: a service token, verified against its own events (<see cref="ServiceTokenService"/>,
/// which also records the use). Unknown, revoked and expired tokens all fail alike and get 401.
/// </summary>
public sealed class ServiceTokenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ServiceTokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ServiceToken";
    public const string AccessItem = "auditportal:service-token-access";
    public const string TokenIdClaim = "auditportal:service_token";

    public static string? BearerOf(HttpRequest request) =>
        request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header["Bearer ".Length..].Trim() : null;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerOf(Request) is not { } presented) return AuthenticateResult.NoResult();
        var access = await tokens.AuthenticateAsync(presented,
            new ServiceTokenUse(Context.TraceIdentifier, Context.Connection.RemoteIpAddress?.ToString(), Request.Path.Value), Context.RequestAborted);
        if (access is null)
        {
            Logger.LogWarning("Refused a service token (unknown, revoked or expired) from {Address}", Context.Connection.RemoteIpAddress);
            return AuthenticateResult.Fail("The token is not valid, has expired or was revoked.");
        }
        Context.Items[AccessItem] = access;
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, access.Principal), new Claim(TokenIdClaim, access.TokenId.ToString())], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = BearerOf(Request) is null
            ? "Bearer realm=\"AuditPortal\""
            : "Bearer realm=\"AuditPortal\", error=\"invalid_token\"";
        Response.Headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }
}
