using AuditPortal.Core.Projections;
using JasperFx.Events.Daemon;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace AuditPortal.Core.Store;

public static class PortalMartenRegistration
{
    /// <summary>
    /// Marten with the portal's store options, lightweight sessions and the async daemon; the same for the host and the tests.
    /// With a <paramref name="migrationConnectionString"/> (another role, owner of the schema) the apply step runs as that
    /// role before the daemon starts, so the runtime store finds nothing to change; without one, as a single role.
    /// <paramref name="applySchema"/> false: no apply at startup at all (the runtime role could not).
    /// (AutoCreate stays on for the runtime store: with AutoCreate.None Marten 9.58's flat-table projection silently
    /// writes no rows.)
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddPortalMarten(
        this IServiceCollection services, Func<IServiceProvider, string> connectionString, PortalStoreSettings settings, DaemonMode daemonMode,
        Func<IServiceProvider, string?>? migrationConnectionString = null, bool applySchema = true)
    {
        // The verbs and the startup read the same settings the store was built with.
        services.AddSingleton(settings);
        // One reader of the previous read-model version per store: the lists' services take it by injection.
        services.AddSingleton<PreviousReadModels>();
        // Without applySchema (a web node outside Development) the schema was applied by its own step before the node
        // started: only the node's event key is checked against the database's.
        services.AddHostedService(sp => new SchemaApplyHostedService(
            sp.GetRequiredService<IDocumentStore>(), connectionString(sp), migrationConnectionString?.Invoke(sp), settings,
            sp.GetRequiredService<ILogger<SchemaApplyHostedService>>(), applySchema));
        // The store's own state (clock of the permission fold, binding, caches): made here with the host's clock and
        // logger, handed to the store's options explicitly, and a singleton for whoever needs it.
        services.AddSingleton(sp => new PortalStoreState(
            sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetService<ILoggerFactory>()?.CreateLogger(typeof(ReadRefusals))));
        return services.AddMarten(sp =>
            {
                var options = new StoreOptions();
                PortalStore.Configure(options, connectionString(sp), settings, sp.GetRequiredService<PortalStoreState>());
                PortalSchema.IgnoreAuditIndexes(options);
                return options;
            })
            .UseLightweightSessions()
            .AddAsyncDaemon(daemonMode);
    }
}
