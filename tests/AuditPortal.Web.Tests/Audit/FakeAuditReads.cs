namespace AuditPortal.Web.Tests.Audit;

/// <summary>An in-memory audit feed with the real filter semantics that matter to the pages (actor, stream, keyset).</summary>
public sealed class FakeAuditReads : IAuditReads, IStreamStateReads
{
    public const string Hostile = "<script>alert(1)</script>";
    public static readonly Guid WalletId = Guid.Parse("0190aaaa-0000-7000-8000-000000000001");
    public static readonly Guid AclId = Guid.Parse("0190bbbb-0000-7000-8000-000000000002");

    public List<AuditEntry> Entries { get; } = [];

    /// <summary>Display names the feed knows from sign-ins (lower-cased actor → name), as AuditFeed returns them with a page.</summary>
    public Dictionary<string, string> DisplayNames { get; } = [];
    public List<(AuditFilter Filter, long? Before, int Limit)> Queries { get; } = [];
    public List<(Guid StreamId, long Version)> StateRequests { get; } = [];

    public FakeAuditReads()
    {
        var t = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
        Add(1, "wallet", WalletId, 1, "wallet_opened", "alice", t, "alice opened wallet 0190aaaa… for dana");
        Add(2, "wallet", WalletId, 2, "credits_granted", "alice", t.AddMinutes(1), "alice granted 5 credits to wallet 0190aaaa… \u2014 goodwill");
        Add(3, "wallet", WalletId, 3, "credits_granted", "sam", t.AddMinutes(2), $"sam granted 3 credits to wallet 0190aaaa… \u2014 {Hostile}");
        Add(4, "access_control_list", AclId, 1, "access_control_list_created", "admin", t.AddMinutes(3), "admin created the access-control list of portal");
    }

    public void Add(long seq, string streamType, Guid streamId, long version, string type, string actor, DateTimeOffset at, string summary) =>
        Entries.Add(new AuditEntry(seq, streamType, streamId, version, type, actor, at, "corr-" + seq, "cause-" + seq, summary));

    public Task<AuditPage> QueryAsync(AuditFilter filter, long? before = null, int limit = 50, CancellationToken ct = default)
    {
        Queries.Add((filter, before, limit));
        var rows = Entries
            .Where(e => filter.Actor is null || e.Actor == filter.Actor)
            .Where(e => filter.StreamId is null || e.StreamId == filter.StreamId)
            .Where(e => filter.EventType is null || e.EventType == filter.EventType)
            .Where(e => before is null || e.Sequence < before)
            .OrderByDescending(e => e.Sequence)
            .Take(limit + 1)
            .ToList();
        var more = rows.Count > limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        return Task.FromResult(new AuditPage(rows, more ? rows[^1].Sequence : null, DisplayNames: DisplayNames));
    }

    public Task<AuditEventDetail?> GetAsync(long sequence, CancellationToken ct = default)
    {
        var entry = Entries.FirstOrDefault(e => e.Sequence == sequence);
        return Task.FromResult(entry is null
            ? null
            : new AuditEventDetail(entry, Guid.NewGuid(), "AuditPortal.Core.Wallets.CreditsGranted",
                $"{{\n  \"reason\": \"{Hostile}\",\n  \"amount\": {sequence}\n}}", "{\n  \"source\": \"test\"\n}",
                // Even sequences as a v1 grant was stored, odd ones as v2.
                StoredType: sequence % 2 == 0 ? "credits_granted" : "credits_granted_v2"));
    }

    /// <summary>What the feed knows of each command id (its recorded outcome or refusal), for <see cref="OperationAsync"/>.</summary>
    public Dictionary<string, AuditOperation.KnownCommand> KnownCommands { get; } = [];

    /// <summary>Event ids by sequence, so a test can make one event the cause of another.</summary>
    public static Guid EventIdOf(long sequence) => new($"0190cccc-0000-7000-8000-{sequence:D12}");

    /// <summary>The entries sharing the correlation id, through the real tree builder.</summary>
    /// <summary>Answers <see cref="OperationAsync"/> as the feed does for a reader without ReadAudit.</summary>
    public bool DenyOperations { get; set; }

    public Task<AuditOperation> OperationAsync(string correlationId, CancellationToken ct = default)
    {
        if (DenyOperations) throw new AuditPortal.Core.AccessControl.AccessDeniedException(AuditPortal.Core.AccessControl.Permission.ReadAudit);
        var events = Entries.Where(e => e.CorrelationId == correlationId).OrderBy(e => e.Sequence).Select(e => (e, EventIdOf(e.Sequence))).ToList();
        return Task.FromResult(new AuditOperation(correlationId, AuditOperation.Build(events, KnownCommands), events.Count, false, DisplayNames));
    }

    public Task<StreamStateAt?> StateAtAsync(Guid streamId, long version, CancellationToken ct = default)
    {
        StateRequests.Add((streamId, version));
        if (!Entries.Any(e => e.StreamId == streamId && e.Version == version)) return Task.FromResult<StreamStateAt?>(null);
        return Task.FromResult<StreamStateAt?>(new StreamStateAt(streamId, "wallet", "Wallet", version, 3,
            $"{{\n  \"owner\": \"{Hostile}\",\n  \"balance\": {version}\n}}",
            [new StateChange("balance", (version - 1).ToString(), version.ToString()), new StateChange("owner", null, Hostile)]));
    }
}

/// <summary>A bUnit context whose audit feed and stream states are one <see cref="FakeAuditReads"/>.</summary>
public abstract class AuditReadsTestContext : PortalTestContext
{
    protected FakeAuditReads Reader { get; } = new();

    protected override void AddServices()
    {
        Services.AddSingleton<IAuditReads>(Reader);
        Services.AddSingleton<IStreamStateReads>(Reader);
    }
}
