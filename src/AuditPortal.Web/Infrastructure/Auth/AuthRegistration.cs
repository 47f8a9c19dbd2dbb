using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>Sign-in, authorization policies and security headers.</summary>
public static class AuthRegistration
{
    public const string SignInPath = "/account/signin";
    public const string AccessDeniedPath = "/account/access-denied";
    public const string SignOutPath = "/account/signout";
    public const string ExternalSignInPath = "/account/signin-external";

    public static IServiceCollection AddPortalAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Auth");
        services.Configure<AuthOptions>(section);
        var settings = section.Get<AuthOptions>() ?? new AuthOptions();

        var authentication = services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.Cookie.Name = "AuditPortal.Auth";
                o.Cookie.HttpOnly = true;
                // Lax, not Strict: the OpenID Connect return is a cross-site navigation that must carry the cookie.
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.LoginPath = SignInPath;
                o.AccessDeniedPath = AccessDeniedPath;
                o.LogoutPath = SignOutPath;
                o.ReturnUrlParameter = "returnUrl";
                o.ExpireTimeSpan = TimeSpan.FromHours(settings.SessionHours);
                o.SlidingExpiration = true;
            });
        if (settings.OpenIdConnect.IsConfigured)
        {
            var oidc = settings.OpenIdConnect;
            authentication.AddOpenIdConnect(OpenIdConnectDefaults.AuthenticationScheme, oidc.DisplayName, o =>
            {
                o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.Authority = oidc.Authority;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = string.IsNullOrWhiteSpace(oidc.ClientSecret) ? null : oidc.ClientSecret;
                o.ResponseType = "code";
                o.UsePkce = true;
                o.SaveTokens = false;
                o.MapInboundClaims = false;
                o.Scope.Clear();
                foreach (var scope in oidc.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries)) o.Scope.Add(scope);
                o.TokenValidationParameters.NameClaimType = oidc.NameClaim;
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.Events.OnTokenValidated = context =>
                {
                    // The ACL knows users by this name; one that the command services would trust as "system:" is refused.
                    if (context.Principal?.Identity?.Name is not { Length: > 0 } name || AccountNames.IsReserved(name))
                        context.Fail($"The identity provider gave no usable '{oidc.NameClaim}' claim.");
                    return Task.CompletedTask;
                };
            });
        }

        services.AddAuthorization(Policies.Add);
        services.AddSingleton<IAuthorizationHandler, PermissionHandler>();
        services.AddCascadingAuthenticationState();
        services.AddSingleton<LocalAccounts>();
        services.AddHostedService<DemoAccountGrants>();
        services.AddScoped<CurrentUser>();
        services.AddScoped<AuditPortal.Core.Common.ICurrentActor>(sp => sp.GetRequiredService<CurrentUser>());
        services.AddAntiforgery(o => o.Cookie.HttpOnly = true);
        return services;
    }

    public static WebApplication UsePortalAuth(this WebApplication app)
    {
        var secureCookies = !app.Environment.IsDevelopment();
        app.UseCookiePolicy(new CookiePolicyOptions
        {
            HttpOnly = Microsoft.AspNetCore.CookiePolicy.HttpOnlyPolicy.Always,
            Secure = secureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest,
            MinimumSameSitePolicy = SameSiteMode.Lax,
        });
        app.Use(SecurityHeaders.ApplyAsync);
        if (secureCookies) app.UseHsts();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapPost(SignOutPath, async Task<Results<RedirectHttpResult, BadRequest>> (HttpContext context, IAntiforgery antiforgery) =>
            {
                // A minimal endpoint without form binding is not refused by the antiforgery middleware: check here,
                // so another site cannot sign a user out.
                if (!await antiforgery.IsRequestValidAsync(context)) return TypedResults.BadRequest();
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                return TypedResults.LocalRedirect(SignInPath + "?signedOut=true");
            })
            .DisableAntiforgery()
            .AllowAnonymous();

        app.MapGet(ExternalSignInPath, Results<ChallengeHttpResult, NotFound> (string? returnUrl, Microsoft.Extensions.Options.IOptions<AuthOptions> options) =>
                options.Value.OpenIdConnect.IsConfigured
                    ? TypedResults.Challenge(new AuthenticationProperties { RedirectUri = AccountNames.SafeReturnUrl(returnUrl) }, [OpenIdConnectDefaults.AuthenticationScheme])
                    : TypedResults.NotFound())
            .AllowAnonymous();
        return app;
    }
}
