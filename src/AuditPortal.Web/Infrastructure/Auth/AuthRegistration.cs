using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
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

        // Cookies and antiforgery tokens must survive a restart and every node must read them: one key folder.
        var dataProtection = services.AddDataProtection().SetApplicationName("AuditPortal");
        if (configuration[StartupSafety.KeyDirectoryKey] is { Length: > 0 } keyDirectory)
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keyDirectory));
        // Encrypted at rest with a certificate (required outside Development, StartupSafety): a copy of the key folder
        // alone no longer forges cookies.
        if (configuration[StartupSafety.KeyCertificateKey] is { Length: > 0 } certificatePath)
            dataProtection.ProtectKeysWithCertificate(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
                certificatePath, configuration[StartupSafety.KeyCertificatePasswordKey]));

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
                // Every request re-checks the session: a sign-out elsewhere, a removed account or the end of the
                // session ends this cookie too (the same rule as open circuits, PortalAuthenticationStateProvider).
                o.Events.OnValidatePrincipal = async context =>
                {
                    var validation = context.HttpContext.RequestServices.GetRequiredService<SessionValidation>();
                    var problem = context.Principal is null ? "not signed in" : validation.Problem(context.Principal);
                    if (problem is not null)
                    {
                        // The challenge that follows goes back to the provider instead of the sign-in form (OnRedirectToLogin).
                        if (problem == SessionValidation.ProviderCheckDue) context.HttpContext.Items[ProviderCheckDueItem] = true;
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    }
                };
                var toSignInForm = o.Events.OnRedirectToLogin;
                o.Events.OnRedirectToLogin = context =>
                {
                    if (context.HttpContext.Items.ContainsKey(ProviderCheckDueItem))
                    {
                        var here = context.Request.Path + context.Request.QueryString;
                        context.Response.Redirect($"{context.Request.PathBase}{ExternalSignInPath}?returnUrl={Uri.EscapeDataString(AccountNames.SafeReturnUrl(here))}");
                        return Task.CompletedTask;
                    }
                    return toSignInForm(context);
                };
            });
        if (settings.OpenIdConnect.IsConfigured)
        {
            var oidc = settings.OpenIdConnect;
            authentication.AddOpenIdConnect(OpenIdConnectDefaults.AuthenticationScheme, oidc.DisplayName, o =>
            {
                o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.Authority = oidc.Authority;
                // StartupSafety refuses false outside Development: metadata over http could be swapped on the way.
                o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = string.IsNullOrWhiteSpace(oidc.ClientSecret) ? null : oidc.ClientSecret;
                o.ResponseType = "code";
                o.UsePkce = true;
                // The provider answers with a top-level GET (not the default cross-site form_post), which carries the
                // SameSite=Lax correlation and nonce cookies on http and https alike; the code in the query is useless
                // without the PKCE verifier and the client secret.
                o.ResponseMode = "query";
                o.SaveTokens = false;
                o.MapInboundClaims = false;
                o.Scope.Clear();
                foreach (var scope in oidc.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries)) o.Scope.Add(scope);
                o.TokenValidationParameters.NameClaimType = oidc.NameClaim;
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.Events.OnTokenValidated = async context =>
                {
                    // The ACL knows a single sign-on user by the issuer's stable subject, which the user cannot choose
                    // (a display name or e-mail can be changed or reused); the display name is kept only for show.
                    var issuer = context.SecurityToken?.Issuer;
                    var subject = context.Principal?.FindFirst("sub")?.Value;
                    if (string.IsNullOrWhiteSpace(issuer) || string.IsNullOrWhiteSpace(subject))
                    {
                        context.Fail("The identity provider gave no issuer or subject.");
                        return;
                    }
                    var services = context.HttpContext.RequestServices;
                    var name = AccountNames.ForSubject(issuer, subject);
                    var principal = LocalAccounts.Principal(name, SessionValidation.OpenIdConnectMethod, services.GetRequiredService<TimeProvider>().GetUtcNow());
                    var display = DisplayNameOf(context.Principal!, oidc.NameClaim);
                    if (display is not null) ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(DisplayNameClaim, display));
                    context.Principal = principal;
                    await services.GetRequiredService<SignInLog>().SignedInAsync(name, display, SessionValidation.OpenIdConnectMethod,
                        context.HttpContext.Connection.RemoteIpAddress?.ToString(), context.HttpContext.TraceIdentifier, context.HttpContext.RequestAborted);
                };
            });
        }

        services.AddAuthorization(o =>
        {
            Policies.Add(o);
            // Deny by default: an endpoint nobody declared (a new page, a minimal API, a framework endpoint) needs a
            // signed-in user; the few anonymous ones say so themselves (MapPortalAuth, SignIn.razor, static assets).
            o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        });
        services.AddSingleton<IAuthorizationHandler, PermissionHandler>();
        // A page or endpoint refused by its policy goes on the user's access log (refused reads, issue 26).
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, RefusedRequests>();
        services.AddCascadingAuthenticationState();
        services.AddSingleton<ISignInAttempts>(sp =>
        {
            var lockout = sp.GetRequiredService<IOptions<AuthOptions>>().Value.Lockout;
            return new SignInAttempts(sp.GetRequiredService<IDocumentStore>(), lockout.MaxFailedAttempts, TimeSpan.FromMinutes(lockout.Minutes));
        });
        services.AddSingleton<LocalAccounts>();
        services.AddSingleton<SignOutRecords>();
        services.AddHostedService<SignOutSync>();
        services.AddSingleton<SessionValidation>();
        services.AddScoped<AuthenticationStateProvider, PortalAuthenticationStateProvider>();
        services.AddHostedService<DemoAccountGrants>();
        services.AddScoped<CurrentUser>();
        services.AddScoped<AuditPortal.Core.Common.ICurrentActor>(sp => sp.GetRequiredService<CurrentUser>());
        services.AddAntiforgery(o => o.Cookie.HttpOnly = true);

        // Guessing passwords from one address is slowed down before any hashing; only the form post counts.
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // A global limiter that only ever limits the sign-in form's post, per client address.
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.Path.Equals(SignInPath, StringComparison.OrdinalIgnoreCase))
                    return RateLimitPartition.GetNoLimiter("unlimited");
                var permits = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value.SignInPermitsPerMinute;
                // Partitions are cached by key: the sign-in key must never equal the unlimited one.
                // Per network, not per address: one IPv6 /64 holds 2^64 addresses.
                return RateLimitPartition.GetFixedWindowLimiter("signin:" + ClientNetwork.Of(http.Connection.RemoteIpAddress), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = Math.Max(1, permits), Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
                });
            });
        });

        // Behind a TLS-terminating proxy the portal sees http: trust X-Forwarded-Proto/For only from the proxies named
        // in configuration, so that HSTS, Secure cookies and the client address used by the rate limiter are right.
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [])
                o.KnownProxies.Add(IPAddress.Parse(proxy));
            foreach (var network in configuration.GetSection("ForwardedHeaders:KnownNetworks").Get<string[]>() ?? [])
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = configuration.GetValue("Hsts:IncludeSubDomains", false);
        });
        return services;
    }

    public const string DisplayNameClaim = "auditportal:display_name";

    private const string ProviderCheckDueItem = "auditportal:provider-check-due";

    /// <summary>The configured name claim, else the common ones, so that a provider without it still shows a person's name.</summary>
    public static string? DisplayNameOf(ClaimsPrincipal principal, string nameClaim) =>
        new[] { nameClaim, "name", "preferred_username", "email" }
            .Select(c => principal.FindFirst(c)?.Value?.Trim()).FirstOrDefault(v => !string.IsNullOrEmpty(v));

    public static WebApplication UsePortalAuth(this WebApplication app)
    {
        app.UseForwardedHeaders();
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
        app.UseRateLimiter();

        app.MapPost(SignOutPath, async Task<Results<RedirectHttpResult, BadRequest>> (
                HttpContext context, IAntiforgery antiforgery, SignOutRecords signOuts, SignOutLog log, ILogger<SignOutLog> logger) =>
            {
                // A minimal endpoint without form binding is not refused by the antiforgery middleware: check here,
                // so another site cannot sign a user out.
                if (!await antiforgery.IsRequestValidAsync(context)) return TypedResults.BadRequest();
                // Ends this user's other tabs and browsers too: their cookies and circuits were issued before now. This
                // node at once; the other nodes from the event store.
                if (context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } && !AccountNames.IsReserved(name))
                {
                    signOuts.Record(name);
                    try
                    {
                        await log.RecordAsync(name, context.TraceIdentifier, context.RequestAborted);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // This browser is signed out regardless; say that other nodes were not told.
                        logger.LogError(e, "The sign-out of {User} could not be recorded: sessions on other portal nodes stay open until they expire", name);
                    }
                }
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                return TypedResults.LocalRedirect(SignInPath + "?signedOut=true");
            })
            .DisableAntiforgery()
            // Anonymous on purpose: a user whose session already ended must still be able to finish signing out.
            .AllowAnonymous();

        app.MapGet(ExternalSignInPath, Results<ChallengeHttpResult, NotFound> (string? returnUrl, Microsoft.Extensions.Options.IOptions<AuthOptions> options) =>
                options.Value.OpenIdConnect.IsConfigured
                    ? TypedResults.Challenge(new AuthenticationProperties { RedirectUri = AccountNames.SafeReturnUrl(returnUrl) }, [OpenIdConnectDefaults.AuthenticationScheme])
                    : TypedResults.NotFound())
            // Anonymous on purpose: it only starts the identity provider's sign-in (or answers 404 without one).
            .AllowAnonymous();
        return app;
    }
}
