namespace AuditPortal.Core.ServiceTokens;

/// <summary>
/// An admin issued an access token for the service principal <paramref name="Principal"/> ("service:…"), valid until
/// <paramref name="ExpiresAt"/> for <paramref name="Permissions"/>. Only the SHA-256 of the secret is recorded: the token
/// itself was shown once to the admin and is stored nowhere.
/// </summary>
public sealed record ServiceTokenIssued(
    Guid TokenId, string Principal, string SecretHash, Permission[] Permissions, DateTimeOffset ExpiresAt, string IssuedBy, DateTimeOffset IssuedAt, string Reason);

/// <summary>An admin revoked a token: from this event on it authenticates nothing.</summary>
public sealed record ServiceTokenRevoked(Guid TokenId, string Principal, string RevokedBy, DateTimeOffset RevokedAt, string Reason);

/// <summary>
/// The token was used during the minute starting at <paramref name="Minute"/> (coalesced: at most one such event per
/// token and minute, recording the first request of that minute).
/// </summary>
public sealed record ServiceTokenUsed(Guid TokenId, string Principal, DateTimeOffset Minute, DateTimeOffset FirstUseAt, string? ClientAddress, string? Path);

/// <summary>
/// One stream per token ("ServiceToken" stream type, id = the token id): its issue and its revocation. Authentication folds
/// this stream from the event table, whose rows only the portal's bound append path can write (EventBinding): the runtime
/// database role cannot mint a token by inserting a row.
/// </summary>
public sealed record ServiceToken(
    Guid Id, string Principal, string SecretHash, Permission[] Permissions, DateTimeOffset ExpiresAt, string IssuedBy, DateTimeOffset IssuedAt,
    DateTimeOffset? RevokedAt = null, string? RevokedBy = null)
{
    /// <summary>Service principals carry this prefix; people's names never contain ':' (AccountNames.IsReserved), so the two never meet.</summary>
    public const string PrincipalPrefix = "service:";

    /// <summary>What every token starts with, so a leaked one is recognisable (secret scanners, logs).</summary>
    public const string TokenPrefix = "apt_";

    public static ServiceToken Create(ServiceTokenIssued e) =>
        new(e.TokenId, e.Principal, e.SecretHash, e.Permissions, e.ExpiresAt, e.IssuedBy, e.IssuedAt);

    public ServiceToken Apply(ServiceTokenRevoked e) => this with { RevokedAt = e.RevokedAt, RevokedBy = e.RevokedBy };

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && now < ExpiresAt;

    /// <summary>The token as handed out once: "apt_" + the token id (32 hex digits) + "_" + 32 random bytes (base64url).</summary>
    public static string Format(Guid tokenId, byte[] secret) => $"{TokenPrefix}{tokenId:N}_{Convert.ToBase64String(secret).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";

    /// <summary>The token id of a presented token, if it has the shape of one (nothing is looked up).</summary>
    public static bool TryParse(string presented, out Guid tokenId)
    {
        tokenId = Guid.Empty;
        if (presented.Length is < 40 or > 100 || !presented.StartsWith(TokenPrefix, StringComparison.Ordinal) || presented[TokenPrefix.Length + 32] != '_') return false;
        return Guid.TryParseExact(presented.AsSpan(TokenPrefix.Length, 32), "N", out tokenId);
    }

    /// <summary>
    /// SHA-256 of the whole token, hex. A fast hash suffices: the secret is 256 random bits, so there is nothing to guess
    /// from the hash (unlike a password).
    /// </summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Whether <paramref name="presented"/> is this token (constant-time over the hashes).</summary>
    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(presented)), Encoding.ASCII.GetBytes(SecretHash));
}

/// <summary>
/// The uses of one token ("ServiceTokenUsage" stream type): a stream of its own, so that authenticating reads only the
/// token's two events however long it has been in use. Its id derives from the token id.
/// </summary>
public sealed record ServiceTokenUsage(Guid Id, Guid TokenId, DateTimeOffset LastMinute)
{
    public static ServiceTokenUsage Create(ServiceTokenUsed e) => new(StreamIdFor(e.TokenId), e.TokenId, e.Minute);

    public ServiceTokenUsage Apply(ServiceTokenUsed e) => this with { LastMinute = e.Minute };

    /// <summary>A name-based UUID (RFC 9562 version 5 layout) of the token id, as AccessLog.StreamIdFor does for user names.</summary>
    public static Guid StreamIdFor(Guid tokenId) => NameBasedId.Of("auditportal:service-token-usage:" + tokenId.ToString("N"));
}
