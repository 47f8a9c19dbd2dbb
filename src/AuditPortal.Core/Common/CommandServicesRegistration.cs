using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AuditPortal.Core.Common;

public static class CommandServicesRegistration
{
    /// <summary>The command services; without an <paramref name="approvals"/> policy nothing waits for a second person.</summary>
    public static IServiceCollection AddPortalCommands(this IServiceCollection services, WalletLimits? limits = null, ApprovalPolicy? approvals = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(limits ?? WalletLimits.Default);
        services.AddSingleton(approvals ?? ApprovalPolicy.None);
        services.AddSingleton<CommandExecutor>();
        services.AddSingleton<ApprovalService>();
        services.AddSingleton<WalletService>();
        services.AddSingleton<JobService>();
        services.AddSingleton<AccessControlService>();
        services.AddSingleton<SignOutLog>();
        services.AddSingleton<SignInLog>();
        services.AddSingleton<ServiceTokens.ServiceTokenService>();
        services.AddSingleton<Audit.SiemFeed>();
        services.AddSingleton<Preferences.UserPreferencesService>();
        return services;
    }
}
