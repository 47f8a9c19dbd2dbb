using Microsoft.Extensions.DependencyInjection;

namespace AuditPortal.Core.Overview;

public static class OverviewServiceRegistration
{
    /// <summary>Scoped: each query asks the caller's <see cref="Common.ICurrentActor"/> (the circuit's user in the portal).</summary>
    public static IServiceCollection AddOverview(this IServiceCollection services)
    {
        services.AddScoped<OverviewQueries>();
        services.AddScoped<ActivityHistogram>();
        services.AddScoped<WalletBalanceHistory>();
        return services;
    }
}
