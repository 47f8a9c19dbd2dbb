using System.Text.Json;
using AuditPortal.Core.Jobs;
using AuditPortal.Core.Overview;
using AuditPortal.Core.Wallets;
using Marten;
using Marten.Events.Projections;
using NpgsqlTypes;

namespace AuditPortal.Core.Projections;

/// <summary>The bulk pass's members as the catalog (<see cref="ReadModelCatalog"/>) declares them.</summary>
public sealed partial class ReadModelBulkRebuild
{
    /// <summary>What a member's factory needs: the store, the pass's JSON options and the composite it rebuilds.</summary>
    internal sealed record MemberContext(IDocumentStore Store, string Schema, JsonSerializerOptions Json, CompositeProjection Composite)
    {
        /// <summary>A document's table, schema-qualified, as the store maps it.</summary>
        public string DocumentTable<T>() => Store.Options.Schema.For<T>();

        public string SqlTable(string table) => $"{Schema}.{table}";

        /// <summary>The composite's instance of a projection (its generated Evolve is the fold).</summary>
        public Func<T> Find<T>() where T : class => () => ReadModelBulkRebuild.Find<T>(Composite);
    }

    /// <summary>One factory per catalog entry; each makes the member class that folds and copies that read model.</summary>
    internal static class BulkMembers
    {
        public static Member Account(MemberContext c) => new AccountMember(c.SqlTable(AccountProjection.TableName));

        public static Member WalletSummary(MemberContext c) => new AggregateMember<Wallets.WalletSummary, Guid>(
            nameof(Wallets.WalletSummary), c.Find<WalletSummaryProjection>(), c.DocumentTable<Wallets.WalletSummary>(), c.Json,
            e => e.StreamId, null, Revision.Version, [("balance", NpgsqlDbType.Integer, s => s.Balance)]);

        public static Member WalletTransaction(MemberContext c) => new TransactionMember(c.SqlTable(WalletTransactionProjection.TableName));

        public static Member JobOwnerView(MemberContext c) => new AggregateMember<Jobs.JobOwnerView, Guid>(
            nameof(Jobs.JobOwnerView), c.Find<JobOwnerViewProjection>(), c.DocumentTable<Jobs.JobOwnerView>(), c.Json,
            e => e.StreamId, null, Revision.Version, []);

        public static Member JobParticipantView(MemberContext c) => new AggregateMember<Jobs.JobParticipantView, string>(
            nameof(Jobs.JobParticipantView), c.Find<JobParticipantViewProjection>(), c.DocumentTable<Jobs.JobParticipantView>(), c.Json,
            null, e => JobParticipantViewProjection.Keys(e.Data), Revision.Sequence, []);

        public static Member DailyActivity(MemberContext c) => new DailyMember(c.SqlTable(DailyActivityProjection.TableName));
    }

    /// <summary>The tables a member writes, unqualified (the catalog test checks they are its entry's).</summary>
    internal static string MemberTable(ReadModelEntry entry, MemberContext context)
    {
        var table = entry.Bulk(context).Table;
        return table[(table.IndexOf('.') + 1)..];
    }
}
