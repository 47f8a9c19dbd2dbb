using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Common;
using AuditPortal.Core.Jobs;
using AuditPortal.Core.Wallets;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AuditPortal.Core.Projections;

public static class ServiceCollectionExtensions
{
    /// <summary>Marten with the portal's store options, lightweight sessions and the async daemon; the same for the host and the tests.</summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddPortalMarten(
        this IServiceCollection services, Func<IServiceProvider, string> connectionString, PortalStoreSettings settings, DaemonMode daemonMode)
    {
        return services.AddMarten(sp =>
            {
                var options = new StoreOptions();
                PortalStore.Configure(options, connectionString(sp), settings);
                return options;
            })
            .UseLightweightSessions()
            .AddAsyncDaemon(daemonMode)
            .ApplyAllDatabaseChangesOnStartup();
    }

    /// <summary>The command services.</summary>
    public static IServiceCollection AddPortalCommands(this IServiceCollection services, WalletLimits? limits = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(limits ?? WalletLimits.Default);
        services.AddSingleton<CommandExecutor>();
        services.AddSingleton<WalletService>();
        services.AddSingleton<JobService>();
        services.AddSingleton<AccessControlService>();
        return services;
    }
}
