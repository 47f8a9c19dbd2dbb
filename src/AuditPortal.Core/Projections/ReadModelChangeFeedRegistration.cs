using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AuditPortal.Core.Projections;

public static class ReadModelChangeFeedRegistration
{
    /// <summary>The in-process notifier of this node's pages, fed by <see cref="ReadModelChangeFeed"/>; registers once.</summary>
    public static IServiceCollection AddReadModelChangeFeed(this IServiceCollection services, Func<IServiceProvider, ReadModelChangeFeedSettings>? settings = null)
    {
        if (services.Any(d => d.ServiceType == typeof(ReadModelChangeFeed))) return services;
        services.TryAddSingleton<ReadModelChanges>();
        services.AddSingleton(sp => settings?.Invoke(sp) ?? new ReadModelChangeFeedSettings());
        services.AddSingleton<ReadModelChangeFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<ReadModelChangeFeed>());
        return services;
    }
}
