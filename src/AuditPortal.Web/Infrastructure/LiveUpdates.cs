namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// Live refresh of open pages: the node's <see cref="ReadModelChangeFeed"/> (LISTEN/NOTIFY on the database, so every
/// node hears every change whichever node runs the projections) feeds an in-process notifier.
/// </summary>
public static class LiveUpdates
{
    public static IServiceCollection AddLiveUpdates(this IServiceCollection services)
    {
        // Both the wallet and the job pages ask for it; register once.
        if (services.Any(d => d.ServiceType == typeof(IReadModelLag))) return services;
        services.AddSingleton<IReadModelLag, ReadModelLagProbe>();
        services.AddReadModelChangeFeed(sp => new ReadModelChangeFeedSettings
        {
            CatchUpInterval = TimeSpan.FromSeconds(sp.GetRequiredService<IConfiguration>().GetValue("LiveRefresh:CatchUpSeconds", 5.0)),
        });
        return services;
    }
}
