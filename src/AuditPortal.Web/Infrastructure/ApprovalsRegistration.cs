using AuditPortal.Core.Approvals;

namespace AuditPortal.Web.Infrastructure;

public static class ApprovalsRegistration
{
    /// <summary>What needs a second person, from Approvals:* (see appsettings.template.json).</summary>
    public static ApprovalPolicy PolicyFrom(IConfiguration configuration) => new(
        GrantThreshold: configuration.GetValue<int?>("Approvals:GrantThreshold", 1000),
        SpendThreshold: configuration.GetValue<int?>("Approvals:SpendThreshold"),
        Expiry: TimeSpan.FromHours(Math.Max(0.01, configuration.GetValue("Approvals:ExpiryHours", 72.0))),
        PortalAdminChanges: configuration.GetValue("Approvals:PortalAdminChanges", true));

    /// <summary>Services of the Approvals pages and the expiry of open requests.</summary>
    public static IServiceCollection AddApprovalsPages(this IServiceCollection services)
    {
        services.AddLiveUpdates().AddPortalReads<IApprovalReads, ApprovalQueries>();
        services.AddSingleton<IApprovalCommands>(sp => sp.GetRequiredService<ApprovalService>());
        services.AddHostedService<ApprovalExpiry>();
        return services;
    }
}
