using AuditPortal.Core.Wallets;

namespace AuditPortal.Web.Infrastructure;

public static class WalletsRegistration
{
    /// <summary>Services of the Wallets pages.</summary>
    public static IServiceCollection AddWalletsPages(this IServiceCollection services)
    {
        services.AddLiveUpdates().AddPortalReads<IWalletReads, WalletQueries>();
        services.AddSingleton<IWalletCommands>(sp => sp.GetRequiredService<WalletService>());
        return services;
    }
}
