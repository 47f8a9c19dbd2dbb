using AuditPortal.Core.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace AuditPortal.Core.Overview;

public static class OverviewServiceRegistration
{
    /// <summary>
    /// Scoped: each query asks the caller's <see cref="Common.ICurrentActor"/> (the circuit's user in the portal).
    /// The overview's read model joins the read-model composite by name (Marten finds the composite PortalStore
    /// configured), so it is fed by the same pass over the events and rebuilt with the others.
    /// </summary>
    public static IServiceCollection AddOverview(this IServiceCollection services)
    {
        services.ConfigureMarten(opts => opts.Projections.CompositeProjectionFor(ReadModelShards.Composite, readModels => opts.AddOverview(readModels)));
        services.AddScoped<OverviewQueries>();
        services.AddScoped<ActivityHistogram>();
        services.AddScoped<WalletBalanceHistory>();
        return services;
    }
}
