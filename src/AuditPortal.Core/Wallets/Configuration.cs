using JasperFx.Events.Projections;
using Marten;

namespace AuditPortal.Core.Wallets;

public static class Configuration
{
    public static StoreOptions AddWallets(this StoreOptions opts, Action<AsyncOptions>? tune = null)
    {
        opts.Projections.Add(new AccountProjection(), ProjectionLifecycle.Async, ao => tune?.Invoke(ao));
        opts.Projections.Add<WalletSummaryProjection>(ProjectionLifecycle.Async, ao => tune?.Invoke(ao));
        opts.Projections.Add<WalletTransactionProjection>(ProjectionLifecycle.Async, ao => tune?.Invoke(ao));

        opts.Schema.For<WalletSummary>().Index(x => x.Balance).Index(x => x.Owner).Index(x => x.LastChangedAt);
        opts.Schema.For<WalletTransaction>().Index(x => x.WalletId).Index(x => x.JobId);
        return opts;
    }
}
