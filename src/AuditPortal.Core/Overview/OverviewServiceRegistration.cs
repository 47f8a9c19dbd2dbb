using AuditPortal.Core.Store;
using Microsoft.Extensions.DependencyInjection;

namespace AuditPortal.Core.Overview;

public static class OverviewServiceRegistration
{
    /// <summary>
    /// Scoped: each query asks the caller's <see cref="Common.ICurrentActor"/> (the circuit's user in the portal).
    /// The overview's read model itself is a member of the read-model composite in <see cref="PortalStore"/>, so every
    /// store (the runtime one and the apply step's) knows its table.
    /// </summary>
    public static IServiceCollection AddOverviewQueries(this IServiceCollection services)
    {
        services.AddScoped<OverviewQueries>();
        services.AddScoped<IActivityHistogram, ActivityHistogram>();
        services.AddScoped<IWalletBalanceHistory, WalletBalanceHistory>();
        return services;
    }
}
