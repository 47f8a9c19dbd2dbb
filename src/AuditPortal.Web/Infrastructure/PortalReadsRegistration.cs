namespace AuditPortal.Web.Infrastructure;

public static class PortalReadsRegistration
{
    /// <summary>
    /// A page's read service, scoped: each read checks the circuit's user (<see cref="AuditPortal.Core.Common.ICurrentActor"/>)
    /// at the moment it runs. Only a gated <see cref="IPortalReads"/> service fits (ReadServiceGateTests checks them).
    /// </summary>
    public static IServiceCollection AddPortalReads<TReads, TService>(this IServiceCollection services)
        where TReads : class
        where TService : class, TReads, IPortalReads =>
        services.AddScoped<TReads, TService>();
}
