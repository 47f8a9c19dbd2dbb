using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Jobs;
using AuditPortal.Core.Wallets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AuditPortal.Core.Common;

public static class CommandServicesRegistration
{
    /// <summary>The command services.</summary>
    public static IServiceCollection AddPortalCommands(this IServiceCollection services, WalletLimits? limits = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(limits ?? WalletLimits.Default);
        services.AddSingleton<CommandExecutor>();
        services.AddSingleton<WalletService>();
        services.AddSingleton<JobService>();
        services.AddSingleton<AccessControlService>();
        services.AddSingleton<SignOutLog>();
        services.AddSingleton<SignInLog>();
        return services;
    }
}
