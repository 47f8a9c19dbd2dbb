using AuditPortal.Core.Projections;
using AuditPortal.Core.Overview;
using AuditPortal.Core.Preferences;
using JasperFx;
using Weasel.Core;

namespace AuditPortal.Core.Store;

public sealed record PortalStoreSettings
{
    public const string DefaultSchemaName = "auditportal";

    public string SchemaName { get; init; } = DefaultSchemaName;
    /// <summary>Development and tests create schema objects as needed; production relies on the apply step.</summary>
    public AutoCreate AutoCreate { get; init; } = AutoCreate.CreateOrUpdate;
    public int RebuildBatchSize { get; init; } = 5000;
    public int RebuildFlushThreshold { get; init; } = 20000;
    /// <summary>Quick append lets PostgreSQL number the events in one round trip; the expected-version check stays.</summary>
    public EventAppendMode AppendMode { get; init; } = EventAppendMode.Quick;
    /// <summary>Wake the daemon on append (LISTEN/NOTIFY) instead of waiting for the next poll: commit-to-visible in milliseconds.</summary>
    public bool NotifyDaemonOnAppend { get; init; } = true;
    /// <summary>Rebuilds write new documents with binary COPY instead of upserts.</summary>
    public bool RebuildWithBulkCopy { get; init; }
    /// <summary>Marten's stream-by-stream rebuild of single-stream projections: each document is written once.</summary>
    public bool OptimizedRebuilds { get; init; }
    /// <summary>
    /// Integrity:EventKey: every event the portal writes is bound with it (<see cref="Integrity.EventBinding"/>) and the
    /// database refuses an unbound one. Null only where nothing is appended (e.g. a verb that only reads).
    /// </summary>
    public byte[]? EventKey { get; init; }
}

public static class PortalStore
{
    /// <param name="state">
    /// The store's <see cref="Common.PortalStoreState"/> (the host passes one made with its clock and logger, and
    /// registers it in its services); without one, a new one with the system clock.
    /// </param>
    public static void Configure(StoreOptions opts, string connectionString, PortalStoreSettings settings, Common.PortalStoreState? state = null)
    {
        state = Common.PortalStoreState.AttachTo(opts, state ?? new Common.PortalStoreState());
        opts.Connection(connectionString);
        opts.DatabaseSchemaName = settings.SchemaName;
        opts.AutoCreateSchemaObjects = settings.AutoCreate;
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);

        opts.Events.StreamIdentity = StreamIdentity.AsGuid;
        opts.Events.MetadataConfig.EnableAll();
        opts.Events.MetadataConfig.UserNameEnabled = true;
        opts.Events.MetadataConfig.CorrelationIdEnabled = true;
        opts.Events.MetadataConfig.CausationIdEnabled = true;
        opts.Events.MetadataConfig.HeadersEnabled = true;
        // A copy of a genuine event (e.g. a revoked grant appended again) is refused by the database, not just bound.
        opts.Events.EnableUniqueIndexOnEventId = true;
        opts.Events.AppendMode = settings.AppendMode;
        opts.Events.UseListenNotifyForEventAppends = settings.NotifyDaemonOnAppend;
        // Polling stays as the safety net when a notification is missed.
        opts.Projections.RebuildWithBulkCopy = settings.RebuildWithBulkCopy;
        opts.Events.UseOptimizedProjectionRebuilds = settings.OptimizedRebuilds;
        opts.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
        opts.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);

        // Every stream is started with its aggregate type, so the audit explorer can filter by stream type.
        opts.Events.UseMandatoryStreamTypeDeclaration = true;

        // A balance or an ACL with a skipped event is silently wrong: stop the projection and report instead.
        opts.Projections.Errors.SkipApplyErrors = false;
        opts.Projections.Errors.SkipSerializationErrors = false;
        opts.Projections.Errors.SkipUnknownEvents = false;
        opts.Projections.RebuildErrors.SkipApplyErrors = false;
        opts.Projections.RebuildErrors.SkipSerializationErrors = false;
        opts.Projections.RebuildErrors.SkipUnknownEvents = false;

        opts.Schema.For<ProcessedCommand>();
        // Before any projection names its events: the versioned names must be known when the mappings are built.
        opts.AddEventVersions();

        // Every async read model in one composite: a rebuild (and the live daemon) fetches and deserializes each event
        // once and feeds it to all of them, instead of once per projection.
        opts.Projections.CompositeProjectionFor(ReadModelShards.Composite, readModels =>
        {
            readModels.Options.BatchSize = settings.RebuildBatchSize;
            readModels.Options.RebuildFlushThreshold = settings.RebuildFlushThreshold;
            // Every read model as its catalog entry joins it. Here, not in the host's services: the apply step builds
            // its own store from this method, and a table only the runtime store knew was never created (the runtime
            // role may not create tables, so on a fresh database with two roles the whole composite stopped on
            // "permission denied for schema").
            ReadModelCatalog.JoinAll(opts, readModels);
        });
        opts.AddAccessControl();
        opts.AddPreferences();
        opts.AddApprovals();
        Integrity.EventBinding.Register(opts, settings.EventKey, state);
        opts.AddAudit();
        AuditPortal.Core.ServiceTokens.ServiceTokensMartenRegistration.AddServiceTokens(opts);
    }
}
