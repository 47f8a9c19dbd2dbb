using Microsoft.AspNetCore.Components.Server.Circuits;

namespace AuditPortal.Web.Infrastructure;

public static class CircuitHandoffRegistration
{
    public static IServiceCollection AddCircuitHandoff(this IServiceCollection services)
    {
        services.AddSingleton<CircuitHandoff>();
        services.AddScoped<CircuitHandler, CircuitHandoffHandler>();
        services.AddScoped<Components.Shared.Drafts>();
        return services;
    }

    /// <summary>
    /// A draining node opens no new circuits: a page it hands over that the balancer still sends back here gets 503
    /// and tries again (circuit.js), instead of resuming on the node that is stopping and being asked to move again.
    /// </summary>
    public static IApplicationBuilder UseCircuitHandoff(this IApplicationBuilder app)
    {
        var handoff = app.ApplicationServices.GetRequiredService<CircuitHandoff>();
        return app.Use(async (context, next) =>
        {
            if (handoff.Draining && context.Request.Path.StartsWithSegments("/_blazor/negotiate"))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }
            await next(context);
        });
    }
}
