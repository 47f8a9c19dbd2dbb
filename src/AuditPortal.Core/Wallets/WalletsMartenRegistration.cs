using JasperFx.Events.Projections;
using Marten.Events.Projections;

namespace AuditPortal.Core.Wallets;

public static class WalletsMartenRegistration
{
    /// <summary>
    /// The wallet events' versions: a grant is appended as v2 under its own stored name, and the v1 grants stored before
    /// (<c>credits_granted</c>, their bodies and .NET type name untouched) are read as v2 through Marten's upcaster.
    /// </summary>
    public static StoreOptions AddEventVersions(this StoreOptions opts)
    {
        opts.Events.MapEventType<CreditsGranted>(AuditTypeNames.Current(AuditTypeNames.CreditsGranted));
        foreach (var upcast in EventUpcast.All) upcast.Register(opts);
        return opts;
    }

    /// <summary>account_projection (plain SQL table) as a member of the one-pass composite: its catalog entry's join.</summary>
    public static void JoinAccountProjection(StoreOptions opts, CompositeProjection readModels)
    {
        // The two SQL-writing projections name what a rebuild must wipe: Marten cannot see their writes.
        var accounts = new AccountProjection(opts.DatabaseSchemaName);
        opts.Storage.ExtendedSchemaObjects.Add(accounts.BuildTable());
        readModels.Add(accounts, ao => ao.DeleteDataInTableOnTeardown(accounts.QualifiedTableName));
    }

    /// <summary>WalletSummary (the wallet list) as a member of the one-pass composite, with its indexes.</summary>
    public static void JoinWalletSummary(StoreOptions opts, CompositeProjection readModels)
    {
        readModels.Add<WalletSummaryProjection>();
        // Balance is the list's filter and the subject of its total count: a real column lets PostgreSQL count the
        // matching wallets from the index alone instead of reading every document (~400 ms at 100,000 wallets).
        opts.Schema.For<WalletSummary>().Duplicate(x => x.Balance, notNull: true);
        opts.Schema.For<WalletSummary>().Index(x => x.Owner).Index(x => x.LastChangedAt);
        // Every sortable column of the wallet list: without an index a sort reads all 100,000 rows (~110 ms vs ~1 ms).
        opts.Schema.For<WalletSummary>().Index(x => x.TransactionCount).Index(x => x.TotalGranted).Index(x => x.TotalSpent)
            .Index(x => x.Version).Index(x => x.LastChangedBy);
        // "Owner contains" in the wallet list is an ILIKE '%text%': only a trigram index keeps it fast at 100,000 wallets.
        opts.Storage.ExtendedSchemaObjects.Add(new Weasel.Postgresql.Extension("pg_trgm"));
        opts.Schema.For<WalletSummary>().Index(x => x.Owner, idx =>
        {
            idx.Name = "ix_walletsummary_owner_trgm";
            idx.Method = Weasel.Postgresql.Tables.IndexMethod.gin;
            idx.Mask = "? gin_trgm_ops";
        });
    }

    /// <summary>wallet_transaction (a wallet's history, plain SQL table) as a member of the one-pass composite.</summary>
    public static void JoinWalletTransaction(StoreOptions opts, CompositeProjection readModels)
    {
        var transactions = new WalletTransactionProjection(opts.DatabaseSchemaName);
        opts.Storage.ExtendedSchemaObjects.Add(transactions.BuildTable());
        readModels.Add(transactions, ao => ao.DeleteDataInTableOnTeardown(transactions.QualifiedTableName));
        // The wrapper of a plain IProjection is named after its type; keep the progression row "WalletTransaction:All".
        if (readModels.AllProjections().LastOrDefault() is ProjectionBase wrapper) wrapper.Name = WalletTransactionProjection.ProjectionName;
    }
}
