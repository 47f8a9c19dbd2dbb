using System.Collections.Concurrent;

namespace AuditPortal.Core.ServiceTokens;

/// <summary>A verified token, as the feed gets it: only <see cref="ServiceTokenService.AuthenticateAsync"/> makes one.</summary>
public sealed class ServiceTokenAccess
{
    internal ServiceTokenAccess(ServiceToken token)
    {
        TokenId = token.Id;
        Principal = token.Principal;
        Permissions = token.Permissions;
        ExpiresAt = token.ExpiresAt;
    }

    public Guid TokenId { get; }
    public string Principal { get; }
    public IReadOnlyList<Permission> Permissions { get; }
    public DateTimeOffset ExpiresAt { get; }
}

/// <summary>The request a token came with, for the use record.</summary>
public sealed record ServiceTokenUse(string CorrelationId, string? ClientAddress, string? Path);

/// <summary>One token as the admin page lists it (never its secret, which nobody has after it was shown).</summary>
public sealed record ServiceTokenRow(
    Guid TokenId, string Principal, IReadOnlyList<Permission> Permissions, DateTimeOffset IssuedAt, string IssuedBy, DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt, string? RevokedBy, DateTimeOffset? LastUsedMinute, long UseMinutes, string Reason);

/// <summary>
/// Access tokens for security tools (service principals): issued and revoked by admins (EditAccessControl, checked here
/// through the command path), verified on every request from the token's own events, and every use recorded on the
/// token's usage stream, coalesced to at most one event per token and minute.
/// </summary>
public sealed class ServiceTokenService(CommandExecutor commands, IDocumentStore store, TimeProvider time) : IPortalReads
{
    public static readonly StreamKind<ServiceToken> Kind = new("Service token", t => $"Token {t.Id} of {t.Principal} changed since you opened it.");

    /// <summary>The minute each token's use was last recorded by this node: spares the store a read on every request.</summary>
    private readonly ConcurrentDictionary<Guid, long> _recordedMinute = new();

    /// <summary>
    /// Issues a token for the service <paramref name="name"/> ("service:" is added); the result's token is the only copy of
    /// the secret there will ever be. Null token when refused, or when <paramref name="commandId"/> was issued before
    /// (its secret cannot be shown again: revoke it and issue another).
    /// </summary>
    public async Task<(CommandResult Result, string? Token)> IssueAsync(
        Actor actor, Guid commandId, Guid tokenId, string name, IReadOnlyCollection<Permission> permissions, DateTimeOffset expiresAt, string reason,
        CancellationToken ct = default)
    {
        var token = ServiceToken.Format(tokenId, RandomNumberGenerator.GetBytes(32));
        var decided = false;
        var result = await commands.StartAsync<ServiceToken, ServiceTokenIssued>(actor, Permission.EditAccessControl, commandId, "IssueServiceToken", tokenId,
            state =>
            {
                var issued = ServiceTokenDecisions.Handle(state, new IssueServiceToken(tokenId, name, permissions, expiresAt, ServiceToken.Hash(token), actor.UserName, time.GetUtcNow(), reason));
                decided = true;
                return issued;
            },
            e => $"Token issued for {e.Principal} ({string.Join(", ", e.Permissions)}), valid until {e.ExpiresAt:yyyy-MM-dd HH:mm} UTC. Copy it now: it is not shown again.", ct);
        if (!result.Succeeded || !decided || result.StreamId != tokenId) return (result, null);
        // Two copies of one command racing both decide; only the copy whose secret was stored may show it.
        await using var session = store.QuerySession();
        var stored = await session.Events.AggregateStreamAsync<ServiceToken>(tokenId, token: ct);
        return (result, stored?.Matches(token) == true ? token : null);
    }

    public Task<CommandResult> RevokeAsync(Actor actor, Guid commandId, Guid tokenId, string reason, CancellationToken ct = default) =>
        commands.DecideAsync(Kind, actor, Permission.EditAccessControl, commandId, "RevokeServiceToken", tokenId, null,
            state => ServiceTokenDecisions.Handle(state, new RevokeServiceToken(tokenId, actor.UserName, time.GetUtcNow(), reason)),
            (_, e) => $"Token {e.TokenId} of {e.Principal} revoked: it authenticates nothing from now on.", ct);

    /// <summary>Every token with its state and last use, newest first; for admins (EditAccessControl).</summary>
    public async Task<IReadOnlyList<ServiceTokenRow>> ListAsync(ICurrentActor caller, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        await PortalAccess.DemandAsync(session, caller, "service-tokens", ct, Permission.EditAccessControl);
        var issued = await session.Events.QueryRawEventDataOnly<ServiceTokenIssued>().ToListAsync(ct);
        var revoked = (await session.Events.QueryRawEventDataOnly<ServiceTokenRevoked>().ToListAsync(ct)).ToDictionary(r => r.TokenId);
        var usageIds = issued.ToDictionary(i => ServiceTokenUsage.StreamIdFor(i.TokenId), i => i.TokenId);
        var uses = new Dictionary<Guid, (long Version, DateTimeOffset At)>();
        foreach (var usageId in usageIds.Keys)
        {
            if (await session.Events.FetchStreamStateAsync(usageId, ct) is { } state)
                uses[usageIds[usageId]] = (state.Version, state.LastTimestamp);
        }
        return issued.OrderByDescending(i => i.IssuedAt).Select(i =>
        {
            var r = revoked.GetValueOrDefault(i.TokenId);
            var used = uses.TryGetValue(i.TokenId, out var u) ? u : default;
            return new ServiceTokenRow(i.TokenId, i.Principal, i.Permissions, i.IssuedAt, i.IssuedBy, i.ExpiresAt, r?.RevokedAt, r?.RevokedBy,
                used.Version > 0 ? used.At : null, used.Version, i.Reason);
        }).ToList();
    }

    /// <summary>
    /// The token's access when <paramref name="presented"/> is a token issued by the portal, not revoked and not expired
    /// at this moment; null otherwise (the caller answers 401 whatever the reason, so a prober learns nothing). An
    /// accepted use is recorded before this returns (coalesced per token and minute): a use the portal could not
    /// record is refused by the exception, never served unrecorded.
    /// </summary>
    [NotGated("authenticates a presented token before any person is known; the feed checks the token's own permissions")]
    public async Task<ServiceTokenAccess?> AuthenticateAsync(string presented, ServiceTokenUse use, CancellationToken ct = default)
    {
        if (!ServiceToken.TryParse(presented, out var tokenId)) return null;
        ServiceToken? token;
        await using (var session = store.QuerySession())
            token = await session.Events.AggregateStreamAsync<ServiceToken>(tokenId, token: ct);
        var now = time.GetUtcNow();
        if (token is null || !token.Matches(presented) || !token.IsActive(now)) return null;
        await RecordUseAsync(token, use, now, ct);
        return new ServiceTokenAccess(token);
    }

    /// <summary>
    /// At most one <see cref="ServiceTokenUsed"/> per token and minute, across nodes: the append expects the usage stream's
    /// version it read, so of two requests (or nodes) recording the same minute one fails and finds the minute recorded.
    /// </summary>
    private async Task RecordUseAsync(ServiceToken token, ServiceTokenUse use, DateTimeOffset now, CancellationToken ct)
    {
        var minute = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        if (_recordedMinute.TryGetValue(token.Id, out var known) && known >= minute.UtcTicks) return;
        var usageId = ServiceTokenUsage.StreamIdFor(token.Id);
        // No command caused it (causation null). A race with another request or node: read again, where it has most
        // likely recorded this very minute; three attempts as before.
        await EventLog.AppendAsync<ServiceTokenUsage>(store, usageId, new EventMetadata(token.Principal, use.CorrelationId, null), async (session, version, cancel) =>
        {
            if (version > 0)
            {
                var last = (await session.Events.FetchStreamAsync(usageId, version, fromVersion: version, token: cancel)).LastOrDefault()?.Data as ServiceTokenUsed;
                if (last is not null && last.Minute >= minute) return [];
            }
            return [new ServiceTokenUsed(token.Id, token.Principal, minute, now, use.ClientAddress, use.Path)];
        }, ct, attempts: 3);
        _recordedMinute.AddOrUpdate(token.Id, minute.UtcTicks, (_, old) => Math.Max(old, minute.UtcTicks));
    }
}
