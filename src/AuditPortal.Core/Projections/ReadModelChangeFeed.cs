using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AuditPortal.Core.Projections;

/// <summary>
/// The change feed every portal node hears, whichever node runs the projections. A trigger on Marten's progression
/// table (<see cref="EnsureTriggerAsync"/>) NOTIFYs the composite's new sequence inside the daemon's own transaction,
/// so the notification is delivered exactly when the read models hold the change, by whichever node committed it.
/// Every node LISTENs on a connection of its own, reads which wallets, jobs and access-control lists the events in
/// (last published, notified] touched from <c>mt_events</c>, and publishes that to its <see cref="ReadModelChanges"/>.
/// The payload is the sequence alone (a few bytes, far below NOTIFY's 8000-byte limit however large the batch), and
/// the same catch-up runs at start (from the current progress), after a reconnect and every
/// <see cref="ReadModelChangeFeedSettings.CatchUpInterval"/>, so a lost notification delays a change but never loses it.
/// </summary>
public sealed class ReadModelChangeFeed(IDocumentStore store, ReadModelChanges changes, ReadModelChangeFeedSettings settings, ILogger<ReadModelChangeFeed> logger)
    : BackgroundService
{
    public const string TriggerName = "read_models_notify";
    private const long TriggerLockKey = 0x4C495645; // "LIVE": one node at a time replaces the trigger.

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Dictionary<string, ChangeKind>? _kinds;
    private long _published = -1;
    private long _notified;
    private int _versionChanged;

    /// <summary>The channel of one schema (several portals may share a database under different schemas).</summary>
    public static string Channel(string schema) => $"{schema}_read_models";

    /// <summary>Completes once the node listens and knows where the read models stand (tests wait for it before writing).</summary>
    public Task Listening => _listening.Task;

    /// <summary>The last sequence published to this node's pages.</summary>
    public long PublishedSequence => Interlocked.Read(ref _published);

    /// <summary>The server process of the LISTEN connection (0 while none): a test ends it to simulate a dropped connection.</summary>
    public int ListenerProcessId { get; private set; }

    public int Reconnects { get; private set; }

    /// <summary>
    /// As the schema owner, after Marten's schema is applied: the trigger that notifies the composite's progress.
    /// Not SECURITY DEFINER: NOTIFY needs no privilege, so the daemon's runtime role fires it as itself.
    /// </summary>
    public static async Task EnsureTriggerAsync(NpgsqlConnection owner, string schema, CancellationToken ct = default)
    {
        var s = DatabaseRoles.Ident(schema);
        await using var tx = await owner.BeginTransactionAsync(ct);
        await owner.ExecAsync($"""
            select pg_advisory_xact_lock({TriggerLockKey});
            create or replace function {s}.{TriggerName}() returns trigger
            language plpgsql set search_path = pg_catalog, pg_temp as $fn$
            begin
              perform pg_notify({DatabaseRoles.Literal(Channel(schema))}, new.last_seq_id::text);
              return null;
            end $fn$;
            create or replace trigger {TriggerName} after insert or update on {s}.mt_event_progression
              for each row when (new.name = {DatabaseRoles.Literal(ReadModelShards.CompositeShard)})
              execute function {s}.{TriggerName}();
            """, ct);
        await tx.CommitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        var delay = settings.ReconnectDelay;
        // This node's cached "is a previous version serving?": trusted only while this loop hears its connection.
        var version = PreviousVersionCache.For(store);
        try
        {
            await ListenAsync(schema, version, delay, ct);
        }
        finally
        {
            version.Withdraw();
        }
    }

    private async Task ListenAsync(string schema, PreviousVersionCache version, TimeSpan delay, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // A pooled connection of the store's data source, held (and so given to no other caller) for as long as this
                // loop listens; once disposed (a broken connection, shutdown), the pool resets it (UNLISTEN) before reuse.
                await using var conn = await store.OpenConnectionAsync(ct);
                conn.Notification += (_, e) =>
                {
                    if (e.Payload == ReadModelUpgrade.VersionNotice)
                    {
                        // The move or the switch committed: the next read probes (synchronously here, before any later read).
                        version.Forget();
                        Interlocked.Exchange(ref _versionChanged, 1);
                    }
                    else if (long.TryParse(e.Payload, out var sequence) && sequence > Interlocked.Read(ref _notified)) Interlocked.Exchange(ref _notified, sequence);
                };
                await conn.ExecAsync($"listen {DatabaseRoles.Ident(Channel(schema))}", ct);
                // Listening first, then reading the progress: a change committed in between is both notified and read.
                var progress = await ReadProgressAsync(conn, schema, ct);
                if (PublishedSequence < 0) Interlocked.Exchange(ref _published, progress); // Pages opened from now on read the current state.
                else await PublishUpToAsync(conn, schema, progress, ct);
                // A version notice may have been missed while not listening: what was cached is forgotten.
                version.Forget();
                version.Vouch(settings.VersionTrust);
                ListenerProcessId = conn.ProcessID;
                _listening.TrySetResult();
                delay = settings.ReconnectDelay;

                while (!ct.IsCancellationRequested)
                {
                    var woke = await conn.WaitAsync(settings.CatchUpInterval, ct);
                    // Without a notification, the safety net: a NOTIFY lost with a broken connection is found here.
                    var ceiling = woke ? Interlocked.Read(ref _notified) : await ReadProgressAsync(conn, schema, ct);
                    await PublishUpToAsync(conn, schema, ceiling, ct);
                    version.Vouch(settings.VersionTrust);
                    // The lists move to the other version (the banner comes or goes): every live page reloads once.
                    if (Interlocked.Exchange(ref _versionChanged, 0) == 1) await changes.PublishAsync(ReadModelChange.Everything(PublishedSequence));
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                version.Withdraw();
                ListenerProcessId = 0;
                Reconnects++;
                logger.LogWarning(e, "Live-refresh feed lost its database connection; connecting again in {Delay} ms", delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.CatchUpInterval.Ticks));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<long> ReadProgressAsync(NpgsqlConnection conn, string schema, CancellationToken ct) =>
        await conn.ScalarAsync<long>(
            $"select coalesce(max(last_seq_id), 0) from {DatabaseRoles.Ident(schema)}.mt_event_progression where name = @name", ct,
            ("name", ReadModelShards.CompositeShard));

    private async Task PublishUpToAsync(NpgsqlConnection conn, string schema, long ceiling, CancellationToken ct)
    {
        var from = PublishedSequence;
        if (ceiling == from) return;
        ReadModelChange change;
        if (ceiling < from || ceiling - from > settings.MaxEventsInspected)
        {
            // Progress went back (a rebuild started over) or too much happened to list: every page reloads once.
            change = ReadModelChange.Everything(ceiling);
        }
        else
        {
            var wallets = new HashSet<Guid>();
            var jobs = new HashSet<Guid>();
            var accessControl = false;
            var approvals = false;
            var touched = await conn.QueryAsync(
                $"select distinct stream_id, type from {DatabaseRoles.Ident(schema)}.mt_events where seq_id > @from and seq_id <= @to",
                r => (Stream: r.GetGuid(0), Type: r.GetString(1)), ct, ("from", from), ("to", ceiling));
            foreach (var (stream, type) in touched)
            {
                switch (KindOf(type))
                {
                    case ChangeKind.Wallet: wallets.Add(stream); break;
                    case ChangeKind.Job: jobs.Add(stream); break;
                    case ChangeKind.AccessControl: accessControl = true; break;
                    case ChangeKind.Approvals: approvals = true; break;
                }
            }
            change = new ReadModelChange(ceiling, wallets, jobs, accessControl, Approvals: approvals);
        }
        Interlocked.Exchange(ref _published, ceiling);
        if (change.All || change.TouchesWallets || change.TouchesJobs || change.AccessControl || change.Approvals) await changes.PublishAsync(change);
    }

    /// <summary>
    /// Event type names as stored in <c>mt_events.type</c>, mapped through the catalog's watched read models
    /// (<see cref="ReadModelCatalog.WatchedEventTypes"/>) and <see cref="ReadModelChange.Kinds"/>.
    /// </summary>
    private ChangeKind KindOf(string typeName)
    {
        // Asked of Marten's own mapping (aliases may be configured), once.
        // An older version's stored name (an import may still write one) changes the same read models as the new one.
        if (_kinds is null)
        {
            var byType = ReadModelCatalog.WatchedEventTypes(store).Concat(ReadModelChange.Kinds).ToDictionary();
            _kinds = byType.ToDictionary(k => ((Marten.Events.EventGraph)store.Options.Events).EventMappingFor(k.Key).EventTypeName, k => k.Value)
                .Concat(Common.EventUpcast.All.Select(u => KeyValuePair.Create(u.StoredName, byType.GetValueOrDefault(u.NewType, ChangeKind.None))))
                .ToDictionary();
        }
        return _kinds.GetValueOrDefault(typeName, ChangeKind.None);
    }
}
