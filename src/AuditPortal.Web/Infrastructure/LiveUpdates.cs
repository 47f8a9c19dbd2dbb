using AuditPortal.Core.Projections;
using Marten;

namespace AuditPortal.Web.Infrastructure;

/// <summary>Live refresh of open pages: a Marten subscription feeds an in-process notifier.</summary>
public static class LiveUpdates
{
    public static IServiceCollection AddLiveUpdates(this IServiceCollection services)
    {
        // Both the wallet and the job pages ask for it; register once.
        if (services.Any(d => d.ServiceType == typeof(ReadModelChangesSubscription))) return services;

        services.AddSingleton<ReadModelChanges>();
        services.AddSingleton<IReadModelLag, ReadModelLagProbe>();
        services.AddSingleton(sp => new ReadModelChangesPump(
            sp.GetRequiredService<ReadModelChanges>(),
            () => sp.GetRequiredService<IReadModelLag>(),
            sp.GetRequiredService<ILogger<ReadModelChangesPump>>()));
        services.AddSingleton<ReadModelChangesSubscription>();
        services.ConfigureMarten((sp, opts) => opts.Events.Subscribe(sp.GetRequiredService<ReadModelChangesSubscription>()));
        return services;
    }
}
