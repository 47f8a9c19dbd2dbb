namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>Sign-in, authorization policies and security headers.</summary>
public static class AuthRegistration
{
    public static IServiceCollection AddPortalAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCascadingAuthenticationState();
        services.AddScoped<CurrentUser>();
        return services;
    }

    public static WebApplication UsePortalAuth(this WebApplication app) => app;
}
