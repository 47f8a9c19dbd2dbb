using AuditPortal.Core.Jobs;
using AuditPortal.Core.Overview;
using AuditPortal.Core.Wallets;
using Marten;
using Marten.Events.Projections;

namespace AuditPortal.Core.Projections;

/// <summary>
/// One read model of the composite, declared once (<see cref="ReadModelCatalog"/>): everything else that names read
/// models (the composite, the progression rows, the upgrade's tables, the bulk pass's members, the previous-version
/// reader, the lists' lag banner) is derived from these entries.
/// </summary>
public sealed class ReadModelEntry
{
    // Through the two shapes below only: a read model has either a document or a SQL table, and only a document can
    // be served by the previous version.
    private ReadModelEntry(string name, Type? document, string? sqlTable, Action<StoreOptions, CompositeProjection> join,
        Func<ReadModelBulkRebuild.MemberContext, ReadModelBulkRebuild.Member> bulk, bool previousServes, ChangeKind watchedBy)
    {
        Name = name;
        Document = document;
        SqlTable = sqlTable;
        Join = join;
        Bulk = bulk;
        PreviousServes = previousServes;
        WatchedBy = watchedBy;
    }

    /// <summary>A Marten document <typeparamref name="T"/>, named after it, served by the previous version during a build.</summary>
    internal static ReadModelEntry OfDocument<T>(Action<StoreOptions, CompositeProjection> join,
        Func<ReadModelBulkRebuild.MemberContext, ReadModelBulkRebuild.Member> bulk, ChangeKind watchedBy) =>
        new(typeof(T).Name, typeof(T), null, join, bulk, previousServes: true, watchedBy);

    /// <summary>A plain table <paramref name="sqlTable"/> that the projection <paramref name="name"/> writes with SQL of its own.</summary>
    internal static ReadModelEntry OfSqlTable(string name, string sqlTable, Action<StoreOptions, CompositeProjection> join,
        Func<ReadModelBulkRebuild.MemberContext, ReadModelBulkRebuild.Member> bulk, ChangeKind watchedBy) =>
        new(name, null, sqlTable, join, bulk, previousServes: false, watchedBy);

    /// <summary>The projection's name in the composite; its progression row is <see cref="ProgressionRow"/>.</summary>
    public string Name { get; }

    /// <summary>The daemon's progression row of this member (members keep one each inside the composite).</summary>
    public string ProgressionRow => Name + ":All";

    /// <summary>The Marten document it writes (its table comes from Marten's mapping), or null for a SQL table.</summary>
    public Type? Document { get; }

    /// <summary>The plain table a SQL-writing projection owns (its own constant), or null for a document.</summary>
    public string? SqlTable { get; }

    /// <summary>How it joins the composite: adds its projection and its schema (indexes, duplicated columns, table).</summary>
    public Action<StoreOptions, CompositeProjection> Join { get; }

    /// <summary>The bulk pass's member for it (the member classes live in ReadModelBulkRebuild.Members.cs).</summary>
    internal Func<ReadModelBulkRebuild.MemberContext, ReadModelBulkRebuild.Member> Bulk { get; }

    /// <summary>
    /// While a new version is built, reads of it are answered by the previous version (<see cref="PreviousReadModels"/>
    /// registers <see cref="Document"/> in its store).
    /// </summary>
    public bool PreviousServes { get; }

    /// <summary>The live pages that watch it: the change feed's area (<see cref="ReadModelChange"/>), and the lag banner of that area's lists.</summary>
    public ChangeKind WatchedBy { get; }

    /// <summary>Its table, unqualified, as <paramref name="options"/> map it.</summary>
    public string Table(StoreOptions options) =>
        Document is { } type ? ((IReadOnlyStoreOptions)options).FindOrResolveDocumentType(type).TableName.Name : SqlTable!;

    public override string ToString() => Name;
}

/// <summary>
/// The read models of the portal, each declared once. To add one: write the read model and its projection in its
/// module, a join method beside the module's registration, a bulk member (ReadModelBulkRebuild.Members.cs and its
/// factory in ReadModelBulkRebuild.Catalog.cs), and one entry here. <c>ReadModelCatalogTests</c> checks the
/// composite against it.
/// </summary>
public static class ReadModelCatalog
{
    public static readonly ReadModelEntry AccountProjection = ReadModelEntry.OfSqlTable(Wallets.AccountProjection.ProjectionName, Wallets.AccountProjection.TableName,
        WalletsMartenRegistration.JoinAccountProjection, ReadModelBulkRebuild.BulkMembers.Account, ChangeKind.None);

    public static readonly ReadModelEntry WalletSummary = ReadModelEntry.OfDocument<Wallets.WalletSummary>(
        WalletsMartenRegistration.JoinWalletSummary, ReadModelBulkRebuild.BulkMembers.WalletSummary, ChangeKind.Wallet);

    public static readonly ReadModelEntry WalletTransaction = ReadModelEntry.OfSqlTable(WalletTransactionProjection.ProjectionName, WalletTransactionProjection.TableName,
        WalletsMartenRegistration.JoinWalletTransaction, ReadModelBulkRebuild.BulkMembers.WalletTransaction, ChangeKind.Wallet);

    public static readonly ReadModelEntry JobOwnerView = ReadModelEntry.OfDocument<Jobs.JobOwnerView>(
        JobsMartenRegistration.JoinJobOwnerView, ReadModelBulkRebuild.BulkMembers.JobOwnerView, ChangeKind.Job);

    public static readonly ReadModelEntry JobParticipantView = ReadModelEntry.OfDocument<Jobs.JobParticipantView>(
        JobsMartenRegistration.JoinJobParticipantView, ReadModelBulkRebuild.BulkMembers.JobParticipantView, ChangeKind.Job);

    // Joined in PortalStore.Configure, not in the host's services: the apply step builds its own store from that
    // method, and a table only the runtime store knew was never created (the runtime role may not create tables).
    public static readonly ReadModelEntry DailyActivity = ReadModelEntry.OfSqlTable(DailyActivityProjection.ProjectionName, DailyActivityProjection.TableName,
        OverviewMartenRegistration.JoinDailyActivity, ReadModelBulkRebuild.BulkMembers.DailyActivity, ChangeKind.None);

    /// <summary>Every read model, in the composite's order.</summary>
    public static readonly IReadOnlyList<ReadModelEntry> All = [AccountProjection, WalletSummary, WalletTransaction, JobOwnerView, JobParticipantView, DailyActivity];

    /// <summary>Joins every read model to the composite.</summary>
    public static void JoinAll(StoreOptions opts, CompositeProjection readModels)
    {
        foreach (var entry in All) entry.Join(opts, readModels);
    }

    /// <summary>Every read model's table as <paramref name="options"/> map them (unqualified), in the catalog's order.</summary>
    public static string[] Tables(StoreOptions options) => [.. All.Select(e => e.Table(options))];

    /// <summary>
    /// The tables under Marten's default mapping: table names do not depend on the connection or the schema, and code
    /// without a store (the apply step's functions, the move aside) needs them. The catalog test checks they are the
    /// portal store's.
    /// </summary>
    public static string[] DefaultTables() => Tables(new StoreOptions());

    /// <summary>The progression rows of every member (not the composite's own, <see cref="ReadModelShards.CompositeShard"/>).</summary>
    public static string[] ProgressionRows() => [.. All.Select(e => e.ProgressionRow)];

    /// <summary>The progression rows of the read models the live pages of <paramref name="area"/> watch (their lag banner).</summary>
    public static string[] WatchedBy(ChangeKind area) => [.. All.Where(e => e.WatchedBy == area).Select(e => e.ProgressionRow)];

    /// <summary>
    /// The live pages' names for events (the change feed's <see cref="ChangeKind"/>): an event type a read model folds
    /// changes what the pages watching that read model show. Taken from the read models' bulk members in the store's
    /// composite (the types each folds), so a new event a watched read model applies reloads its pages without a list.
    /// </summary>
    public static IReadOnlyDictionary<Type, ChangeKind> WatchedEventTypes(IDocumentStore store)
    {
        var options = (StoreOptions)store.Options;
        var composite = options.Projections.All.OfType<CompositeProjection>().Single(p => p.Name == ReadModelShards.Composite);
        var context = new ReadModelBulkRebuild.MemberContext(store, options.DatabaseSchemaName, new System.Text.Json.JsonSerializerOptions(), composite);
        var kinds = new Dictionary<Type, ChangeKind>();
        foreach (var entry in All.Where(e => e.WatchedBy != ChangeKind.None))
        {
            var member = entry.Bulk(context);
            member.Bind();
            // Marten's own events an aggregation also handles (Archived, …) are not the portal's: the portal never appends them.
            foreach (var type in member.EventTypes.Where(t => t.Assembly == typeof(ReadModelCatalog).Assembly))
            {
                // An event is in one stream, whose id the feed reports as a wallet's or a job's: one area per event type.
                if (kinds.TryGetValue(type, out var other) && other != entry.WatchedBy)
                    throw new InvalidOperationException($"{type.Name} is folded by read models of two areas ({other}, {entry.WatchedBy}): the change feed cannot tell which id it carries.");
                kinds[type] = entry.WatchedBy;
            }
        }
        return kinds;
    }

    /// <summary>The documents the previous version answers reads of while a new version is built.</summary>
    public static Type[] PreviousDocuments() => [.. All.Where(e => e.PreviousServes).Select(e => e.Document!)];
}
