using JasperFx.Events.Daemon;

namespace AuditPortal.Web.Infrastructure;

public static class ProjectionsRegistration
{
    /// <summary>Services of the Projections pages and the console verbs.</summary>
    public static IServiceCollection AddProjectionsPages(this IServiceCollection services)
    {
        services.AddSingleton(sp => new ProjectionOperations(
            sp.GetRequiredService<IDocumentStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<IProjectionCoordinator>()));
        services.AddSingleton<ProjectionRebuilds>();
        services.AddSingleton<IProjectionConsole>(sp => sp.GetRequiredService<ProjectionRebuilds>());
        services.AddSingleton(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            return new DaemonHealth(sp.GetRequiredService<ProjectionOperations>(), sp.GetRequiredService<TimeProvider>())
            {
                Window = TimeSpan.FromSeconds(configuration.GetValue("Health:StallWindowSeconds", 60)),
                MaxLagEvents = configuration.GetValue("Health:MaxProjectionLagEvents", 10_000L),
            };
        });
        return services;
    }
}
