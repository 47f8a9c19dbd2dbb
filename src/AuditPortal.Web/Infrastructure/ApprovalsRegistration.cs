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
        services.AddLiveUpdates();
        // Scoped: each read checks the circuit's user (ICurrentActor) at the moment it runs.
        services.AddScoped<IApprovalReads, ApprovalQueries>();
        services.AddSingleton<IApprovalCommands>(sp => sp.GetRequiredService<ApprovalService>());
        services.AddHostedService<ApprovalExpiry>();
        return services;
    }
}

/// <summary>
/// Records the expiry of open requests past Approvals:ExpiryHours, every Approvals:ExpiryCheckSeconds, as the portal
/// itself. It waits on the <see cref="TimeProvider"/>, so a test's clock drives it. Every node may run it: each request is
/// locked while it is decided, and a second node finds it expired already.
/// </summary>
public sealed class ApprovalExpiry(ApprovalService approvals, TimeProvider time, IConfiguration configuration, ILogger<ApprovalExpiry> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Approvals:ExpiryCheckSeconds", 60)));
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                var expired = await approvals.ExpireDueAsync(stoppingToken);
                if (expired > 0) logger.LogInformation("Recorded the expiry of {Count} approval requests", expired);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Could not record the expiry of approval requests; retrying in {Interval}", interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
